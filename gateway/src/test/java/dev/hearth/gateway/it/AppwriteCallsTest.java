package dev.hearth.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The replayed calls, byte for byte, against what Appwrite 1.9.6's client writes (reference §1.1, §9): written out
 * here by hand so that a change to {@link AppwriteCalls} that would no longer be verbatim fails.
 */
class AppwriteCallsTest {

    private final AppwriteCalls calls = new AppwriteCalls("s3cr3t", "openruntimes/node:v5-22");

    @Test
    void theExecutionIsAppwritesMultipartWithItsPartsInOrderAndBodyLast() {
        Map<String, String> variables = new LinkedHashMap<>();
        variables.put("APPWRITE_FUNCTION_API_ENDPOINT", "https://cloud.example.test/v1");
        variables.put("NAME", "Grüße");
        AppwriteCalls.Call call = calls.execution(new AppwriteCalls.Execution("p1", "d1",
                "/storage/builds/app-p1/abc.gz", "index.js", variables, "/a?b=c", "POST",
                Map.of("x-appwrite-trigger", "http"), false, AppwriteCalls.FORMAT_ROUTER, "hi"), "B");

        String b = "\r\n--B\r\nContent-Disposition: form-data; name=";
        assertThat(new String(call.body(), StandardCharsets.UTF_8)).isEqualTo("--B\r\n"
                + "Content-Disposition: form-data; name=\"runtimeId\"\r\n\r\np1-d1"
                + b + "\"variables\"\r\nContent-Type: application/json\r\n\r\n"
                + "{\"APPWRITE_FUNCTION_API_ENDPOINT\":\"https:\\/\\/cloud.example.test\\/v1\",\"NAME\":\"Gr\\u00fc\\u00dfe\"}"
                + b + "\"timeout\"\r\n\r\n15"
                + b + "\"path\"\r\n\r\n/a?b=c"
                + b + "\"method\"\r\n\r\nPOST"
                + b + "\"headers\"\r\nContent-Type: application/json\r\n\r\n{\"x-appwrite-trigger\":\"http\"}"
                + b + "\"image\"\r\n\r\nopenruntimes/node:v5-22"
                + b + "\"source\"\r\n\r\n/storage/builds/app-p1/abc.gz"
                + b + "\"entrypoint\"\r\n\r\nindex.js"
                + b + "\"cpus\"\r\n\r\n1"
                + b + "\"memory\"\r\n\r\n512"
                + b + "\"version\"\r\n\r\nv5"
                + b + "\"runtimeEntrypoint\"\r\n\r\n"
                + "cp /tmp/code.tar.gz /mnt/code/code.tar.gz && nohup helpers/start.sh \"bash helpers/server.sh\""
                + b + "\"logging\"\r\n\r\n0"
                + b + "\"restartPolicy\"\r\n\r\nalways"
                + b + "\"body\"\r\n\r\nhi"
                + "\r\n--B--\r\n");
        assertThat(call.headers()).containsExactly(
                Map.entry("content-type", "multipart/form-data; boundary=B"),
                Map.entry("authorization", "Bearer s3cr3t"),
                Map.entry("x-opr-addressing-method", "anycast-efficient"),
                Map.entry("x-edge-bypass-gateway", "1"),
                Map.entry("x-opr-runtime-id", "p1-d1"),
                Map.entry("accept", "multipart/form-data"),
                Map.entry("x-executor-response-format", "0.11.0"));
    }

    @Test
    void anEmptyBodyIsNoPartAndEmptyMapsAreJsonArrays() {
        AppwriteCalls.Call call = calls.execution(new AppwriteCalls.Execution("p1", "d1", "/s.gz", "index.js",
                Map.of(), "/", "GET", Map.of(), true, AppwriteCalls.FORMAT_API, ""), "B");
        String body = new String(call.body(), StandardCharsets.UTF_8);
        assertThat(body).contains("name=\"variables\"\r\nContent-Type: application/json\r\n\r\n[]\r\n")
                .contains("name=\"logging\"\r\n\r\n1\r\n")
                .doesNotContain("name=\"body\"")
                .endsWith("name=\"restartPolicy\"\r\n\r\nalways\r\n--B--\r\n");
    }

    @Test
    void theBuildIsPhpJsonWithTheShellQuotedInstallCommand() {
        AppwriteCalls.Call call = calls.build(new AppwriteCalls.Build("p1", "d1", "/storage/functions/app-p1/x.tar.gz",
                "index.js", Map.of("A", "1"), "npm install && echo 'done'"));
        assertThat(new String(call.body(), StandardCharsets.UTF_8)).isEqualTo("{\"runtimeId\":\"p1-d1-build\","
                + "\"source\":\"\\/storage\\/functions\\/app-p1\\/x.tar.gz\","
                + "\"destination\":\"\\/storage\\/builds\\/app-p1\","
                + "\"image\":\"openruntimes\\/node:v5-22\",\"entrypoint\":\"index.js\",\"variables\":{\"A\":\"1\"},"
                + "\"remove\":true,"
                + "\"command\":\"tar -zxf \\/tmp\\/code.tar.gz -C \\/mnt\\/code && helpers\\/build.sh"
                + " 'npm install && echo '\\\\''done'\\\\'''\","
                + "\"cpus\":1.0,\"memory\":512,\"version\":\"v5\",\"timeout\":900,\"outputDirectory\":\"\","
                + "\"runtimeEntrypoint\":\"\"}");
        assertThat(call.headers()).extracting(Map.Entry::getKey).containsExactly("content-type", "authorization",
                "x-opr-addressing-method", "x-edge-bypass-gateway", "x-opr-runtime-id", "accept");
    }

    @Test
    void theDeleteIsBroadcastWithAnEmptyJsonArray() {
        AppwriteCalls.Call call = calls.delete("p1", "d1");
        assertThat(call.path()).isEqualTo("/v1/runtimes/p1-d1");
        assertThat(new String(call.body(), StandardCharsets.UTF_8)).isEqualTo("[]");
        assertThat(call.header("x-opr-addressing-method")).isEqualTo("broadcast");
        assertThat(call.headers()).extracting(Map.Entry::getKey).doesNotContain("x-opr-runtime-id");
    }

    @Test
    void aMultipartAnswerIsReadAsAppwriteReadsIt() {
        byte[] document = ("--X\r\nContent-Disposition: form-data; name=\"statusCode\"\r\n\r\n201\r\n"
                + "--X\r\nContent-Disposition: form-data; name=\"headers\"\r\nContent-Type: application/json\r\n\r\n"
                + "{\"set-cookie\":[\"a=1\",\"b=2\"]}\r\n"
                + "--X\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\n\r\n\u00ff\r\n"
                + "--X\r\nContent-Disposition: form-data; name=\"logs\"\r\n\r\nl\n\r\n"
                + "--X\r\nContent-Disposition: form-data; name=\"errors\"\r\n\r\n\r\n"
                + "--X\r\nContent-Disposition: form-data; name=\"duration\"\r\n\r\n0.25\r\n"
                + "--X\r\nContent-Disposition: form-data; name=\"startTime\"\r\n\r\n1765000000.5\r\n--X--\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        AppwriteExecution read = AppwriteExecution.read("multipart/form-data; boundary=X", document);
        assertThat(read.statusCode()).isEqualTo(201);
        assertThat(read.headers().path("set-cookie")).hasSize(2);
        assertThat(read.body()).as("bytes kept, CRLFs inside kept").containsExactly('\r', '\n', 0xff);
        assertThat(read.logs()).isEqualTo("l\n");
        assertThat(read.errors()).isEmpty();
        assertThat(List.of(read.duration(), read.startTime())).containsExactly(0.25, 1765000000.5);
    }
}
