package dev.hearth.runner.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import tools.jackson.core.JacksonException;

/** The hand-written codec reads and writes the same documents as the object mapper ({@link ProtocolJson}). */
class ExecutionJsonTest {

    private static final Map<String, List<String>> HEADERS = headers();

    @Test
    void requestsRoundTripBothWaysWithTheMapper() {
        ExecutionRequest withVariables = new ExecutionRequest("POST", "/a?b=c", HEADERS, 15000, false,
                Map.of("KEY", "value \u00e9 \"quoted\"", "EMPTY", ""));
        ExecutionRequest without = new ExecutionRequest("GET", "/", Map.of(), 1);

        for (ExecutionRequest request : List.of(withVariables, without)) {
            assertThat(ExecutionJson.readRequest(ExecutionJson.write(request))).isEqualTo(request);
            assertThat(ProtocolJson.fromBytes(ExecutionJson.write(request), ExecutionRequest.class)).isEqualTo(request);
            assertThat(ExecutionJson.readRequest(ProtocolJson.toBytes(request))).isEqualTo(request);
        }
        assertThat(json(ExecutionJson.write(without))).contains("\"variables\":null", "\"logging\":true");
    }

    @Test
    void headsAndEndsRoundTripBothWaysWithTheMapper() {
        ExecutionHead head = new ExecutionHead(201, HEADERS);
        ExecutionEnd end = new ExecutionEnd("line 1\nline \u2603\n", "oops\u0000", true, -1, 12.5);

        assertThat(ExecutionJson.readHead(ExecutionJson.write(head))).isEqualTo(head);
        assertThat(ProtocolJson.fromBytes(ExecutionJson.write(head), ExecutionHead.class)).isEqualTo(head);
        assertThat(ExecutionJson.readHead(ProtocolJson.toBytes(head))).isEqualTo(head);
        assertThat(ExecutionJson.readEnd(ExecutionJson.write(end))).isEqualTo(end);
        assertThat(ProtocolJson.fromBytes(ExecutionJson.write(end), ExecutionEnd.class)).isEqualTo(end);
        assertThat(ExecutionJson.readEnd(ProtocolJson.toBytes(end))).isEqualTo(end);
    }

    @Test
    void unknownFieldsAreSkippedAndMissingOnesTakeTheirDefaults() {
        ExecutionEnd end = ExecutionJson.readEnd(bytes("{\"future\":{\"a\":[1,{\"b\":2}]},\"exitCode\":3}"));
        ExecutionHead head = ExecutionJson.readHead(bytes("{\"status\":204,\"extra\":[1,2]}"));
        ExecutionRequest request = ExecutionJson.readRequest(
                bytes("{\"method\":\"GET\",\"path\":\"/\",\"timeoutMs\":5,\"new\":null,\"headers\":{\"a\":\"one\"}}"));

        assertThat(end).isEqualTo(new ExecutionEnd("", "", false, 3, 0));
        assertThat(head).isEqualTo(new ExecutionHead(204, Map.of()));
        assertThat(request.headers()).as("a single value reads as a list of one").isEqualTo(Map.of("a", List.of("one")));
        assertThat(request.logging()).as("logging defaults to true").isTrue();
        assertThat(request.variables()).isNull();
    }

    @Test
    void malformedDocumentsAreRefused() {
        assertThatThrownBy(() -> ExecutionJson.readRequest(bytes("{\"method\":\"GET\",\"timeoutMs\":5}")))
                .as("no path").isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ExecutionJson.readRequest(bytes("{\"method\":\"GET\",\"path\":\"/\"}")))
                .as("no timeout").isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ExecutionJson.readHead(bytes("[]")))
                .as("not an object").isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ExecutionJson.readHead(bytes("{\"headers\":{\"a\":[{\"b\":1}]}}")))
                .as("an object as a header value").isInstanceOf(JacksonException.class);
        assertThatThrownBy(() -> ExecutionJson.readEnd(bytes("{\"logs\":\"cut")))
                .as("truncated").isInstanceOf(JacksonException.class);
    }

    @Test
    void aRequestHeaderDecodesThroughTheCodec() {
        ExecutionRequest request = new ExecutionRequest("PUT", "/x", HEADERS, 99, true, Map.of("A", "1"));

        String header = ProtocolJson.toHeader(ExecutionJson.write(request));

        assertThat(ProtocolJson.fromHeader(header, ExecutionRequest.class, ExecutionJson::readRequest))
                .isEqualTo(request);
        assertThatThrownBy(() -> ProtocolJson.fromHeader("e30", ExecutionRequest.class, ExecutionJson::readRequest))
                .as("{} has no method").isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ExecutionRequest");
    }

    private static Map<String, List<String>> headers() {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("set-cookie", List.of("a=1", "b=2"));
        headers.put("content-type", List.of("text/plain; charset=utf-8"));
        headers.put("x-empty", List.of(""));
        return headers;
    }

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static String json(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
