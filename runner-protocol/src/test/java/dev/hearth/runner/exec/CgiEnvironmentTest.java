package dev.hearth.runner.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import dev.hearth.runner.protocol.ExecutionRequest;
import org.junit.jupiter.api.Test;

class CgiEnvironmentTest {

    @Test
    void mapsRequestToCgiVariables() {
        ExecutionRequest request = new ExecutionRequest("POST", "/a/b?x=1&y=2",
                Map.of("content-type", List.of("text/plain"), "x-multi-value", List.of("1", "2")), 1000);

        Map<String, String> env = CgiEnvironment.of(request, OptionalLong.of(5));

        assertThat(env)
                .containsEntry("REQUEST_METHOD", "POST")
                .containsEntry("PATH_INFO", "/a/b")
                .containsEntry("QUERY_STRING", "x=1&y=2")
                .containsEntry("CONTENT_TYPE", "text/plain")
                .containsEntry("CONTENT_LENGTH", "5")
                .containsEntry("HTTP_X_MULTI_VALUE", "1, 2")
                .containsEntry("GATEWAY_INTERFACE", "CGI/1.1")
                .containsEntry("SERVER_PROTOCOL", "HTTP/1.1");
    }

    @Test
    void omitsContentLengthWhenUnknown() {
        Map<String, String> env = CgiEnvironment.of(new ExecutionRequest("GET", "/", Map.of(), 1000),
                OptionalLong.empty());

        assertThat(env).doesNotContainKey("CONTENT_LENGTH").containsEntry("QUERY_STRING", "");
    }
}
