package dev.hearth.gateway.api.params;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.gateway.api.error.ExecutorException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.reactive.function.server.RouterFunctions;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

class ParamsReaderTest {

    private static final String BOUNDARY = "XyZ123";

    @Test
    void jsonBodyIsReadForPost() {
        Params params = read(MockServerHttpRequest.post("/v1/runtimes")
                .contentType(MediaType.APPLICATION_JSON)
                .body("{\"runtimeId\":\"r1\",\"timeout\":30,\"variables\":{\"A\":\"1\"},\"remove\":true}"));

        assertThat(params.raw("runtimeId")).as("runtimeId").isEqualTo("r1");
        assertThat(params.raw("timeout")).as("timeout").isEqualTo(30);
        assertThat(params.raw("remove")).as("remove").isEqualTo(true);
        assertThat(params.assoc("variables")).as("variables").containsExactly(Map.entry("A", "1"));
    }

    @Test
    void jsonWithCharsetIsStillJson() {
        Params params = read(MockServerHttpRequest.post("/v1/runtimes")
                .header("Content-Type", "application/json; charset=utf-8")
                .body("{\"image\":\"node\"}"));

        assertThat(params.raw("image")).as("image").isEqualTo("node");
    }

    @Test
    void malformedJsonIs400WithClearMessage() {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.post("/v1/runtimes")
                .contentType(MediaType.APPLICATION_JSON)
                .body("{\"runtimeId\":"));

        StepVerifier.create(Params.read(exchange))
                .expectErrorSatisfies(e -> assertThat(e).as("error")
                        .isInstanceOf(ExecutorException.class)
                        .hasMessageStartingWith("Invalid JSON body: ")
                        .extracting(t -> ((ExecutorException) t).code()).isEqualTo(400))
                .verify();
    }

    @Test
    void nonObjectJsonIsRejectedButEmptyBodyIsNoParams() {
        assertThatThrownBy(() -> read(MockServerHttpRequest.post("/x").contentType(MediaType.APPLICATION_JSON).body("42")))
                .as("number body")
                .hasMessage("Invalid JSON body: expected a JSON object");
        assertThat(read(MockServerHttpRequest.post("/x").contentType(MediaType.APPLICATION_JSON).body("  ")).asMap())
                .as("blank body").isEmpty();
        assertThat(read(MockServerHttpRequest.post("/x").contentType(MediaType.APPLICATION_JSON).body("[]")).asMap())
                .as("PHP empty array").isEmpty();
    }

    @Test
    void multipartReadsFieldsJsonPartsBracketKeysAndFileBytes() {
        byte[] binary = {0, (byte) 0xff, (byte) 0xfe, 10, 13, '-', '-'};
        byte[] body = multipart()
                .field("path", null, "/hello")
                .field("headers", "application/json", "{\"x-a\":\"1\",\"x-b\":[\"2\",\"3\"]}")
                .field("variables[KEY]", null, "value")
                .field("variables[OTHER]", null, "v2")
                .file("body", binary)
                .build();

        Params params = read(MockServerHttpRequest.post("/v1/runtimes/r1/executions")
                .header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                .body(Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(body))));

        assertThat(params.raw("path")).as("plain field").isEqualTo("/hello");
        assertThat(params.assoc("headers")).as("JSON part")
                .containsEntry("x-a", "1")
                .containsEntry("x-b", java.util.List.of("2", "3"));
        assertThat(params.assoc("variables")).as("bracket keys")
                .containsExactly(Map.entry("KEY", "value"), Map.entry("OTHER", "v2"));
        assertThat((byte[]) params.raw("body")).as("file part bytes").containsExactly(binary);
    }

    @Test
    void urlencodedFoldsBracketKeysAndDecodesPlus() {
        Params params = read(MockServerHttpRequest.post("/v1/runtimes/r1/executions")
                .contentType(MediaType.APPLICATION_FORM_URLENCODED)
                .body("path=%2Fa+b&headers%5Bx-one%5D=1&headers[x-two]=2&list[]=a&list[]=b&flag"));

        assertThat(params.raw("path")).as("path").isEqualTo("/a b");
        assertThat(params.assoc("headers")).as("headers")
                .containsExactly(Map.entry("x-one", "1"), Map.entry("x-two", "2"));
        assertThat(params.raw("list")).as("appended list").isEqualTo(Map.of("0", "a", "1", "b"));
        assertThat(params.raw("flag")).as("key without value").isEqualTo("");
    }

    @Test
    void urlencodedBinaryValueStaysBytes() {
        Params params = read(MockServerHttpRequest.post("/v1/runtimes/r1/executions")
                .contentType(MediaType.APPLICATION_FORM_URLENCODED)
                .body("body=%FF%00a&bad=%zz"));

        assertThat((byte[]) params.raw("body")).as("binary value").containsExactly((byte) 0xff, 0, 'a');
        assertThat(params.raw("bad")).as("malformed escape kept literally").isEqualTo("%zz");
    }

    @Test
    void getReadsQueryStringWhateverTheContentType() {
        Params params = read(MockServerHttpRequest.get("/v1/runtimes/r1/logs?timeout=30&follow=1")
                .header("Content-Type", "application/json")
                .build());

        assertThat(params.raw("timeout")).as("timeout").isEqualTo("30");
        assertThat(params.raw("follow")).as("follow").isEqualTo("1");
    }

    @Test
    void postReadsNoQueryParams() {
        Params params = read(MockServerHttpRequest.post("/v1/runtimes?runtimeId=fromQuery")
                .contentType(MediaType.APPLICATION_JSON)
                .body("{}"));

        assertThat(params.has("runtimeId")).as("query ignored for POST").isFalse();
    }

    @Test
    void otherContentTypeGivesNoParams() {
        Params params = read(MockServerHttpRequest.post("/v1/runtimes").contentType(MediaType.TEXT_PLAIN).body("runtimeId=x"));

        assertThat(params.asMap()).as("params").isEmpty();
    }

    @Test
    void routeVariablesOverrideBodyParams() {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.post("/v1/runtimes/route-id/executions")
                .contentType(MediaType.APPLICATION_JSON)
                .body("{\"runtimeId\":\"body-id\"}"));
        exchange.getAttributes().put(RouterFunctions.URI_TEMPLATE_VARIABLES_ATTRIBUTE, Map.of("runtimeId", "route-id"));

        Params params = Params.read(exchange).block();

        assertThat(params.raw("runtimeId")).as("runtimeId").isEqualTo("route-id");
    }

    @Test
    void bodyOverTheCapFailsWithLimitError() {
        byte[] big = new byte[ParamsReader.MAX_BODY_BYTES + 1];
        java.util.Arrays.fill(big, (byte) 'a');
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.post("/v1/runtimes")
                .contentType(MediaType.APPLICATION_JSON)
                .body(Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(big))));

        StepVerifier.create(Params.read(exchange)).expectError(DataBufferLimitException.class).verify();
    }

    private static Params read(MockServerHttpRequest request) {
        return Params.read(MockServerWebExchange.from(request)).block();
    }

    private static Multipart multipart() {
        return new Multipart();
    }

    /** A hand-written multipart body, so the test controls part headers byte for byte. */
    private static final class Multipart {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Multipart field(String name, String contentType, String value) {
            write("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n");
            if (contentType != null) {
                write("Content-Type: " + contentType + "\r\n");
            }
            write("\r\n" + value + "\r\n");
            return this;
        }

        Multipart file(String name, byte[] bytes) {
            write("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + name + "\"; filename=\"body.bin\"\r\n"
                    + "Content-Type: application/octet-stream\r\n\r\n");
            out.writeBytes(bytes);
            write("\r\n");
            return this;
        }

        byte[] build() {
            write("--" + BOUNDARY + "--\r\n");
            return out.toByteArray();
        }

        private void write(String text) {
            out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
        }
    }
}
