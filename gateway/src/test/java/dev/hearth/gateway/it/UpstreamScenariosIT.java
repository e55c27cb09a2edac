package dev.hearth.gateway.it;

import static dev.hearth.gateway.it.UpstreamScenarios.JSON;
import static dev.hearth.gateway.it.UpstreamScenarios.JSON_TYPE;
import static dev.hearth.gateway.it.UpstreamScenarios.MULTIPART;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.hearth.gateway.it.UpstreamScenarios.Runtime;
import dev.hearth.gateway.it.UpstreamScenarios.Scenario;
import dev.hearth.runner.testing.TarGz;

/**
 * The upstream executor's {@code testScenarios} (§5.2, test 16; open-runtimes/executor
 * {@code tests/e2e/ExecutorTest.php}), for the scenarios the embedded default can run, in upstream's flow
 * ({@link UpstreamScenarios}: build, then an execution created on the fly whose {@code content-type} and
 * {@code accept} are the scenario's type, JSON or a multipart request body, then {@code DELETE}). Upstream's Node fixtures are equivalent {@code local/shell} ({@code exec}) and
 * {@code local/node} ({@code http}) functions, named by the folder they port. Two take less time than upstream's:
 * {@code node-timeout} runs out a 2 s timeout, not 45 s, and {@code node-long-coldstart} starts its server after 2 s,
 * not 10 s.
 *
 * <p>Not here: {@code node-v2} (runtime protocol v2) and the three {@code node-logs} sizes (1 MiB, 5 MiB, 15 MiB cut
 * to 5 MiB with its note), whose logs are an Open Runtimes server's log files, which the embedded default's adapters
 * do not have; {@link DockerUpstreamScenariosIT} runs them with Open Runtimes images on the Docker driver.
 */
class UpstreamScenariosIT extends GatewayITSupport {

    private static final Runtime SHELL = new Runtime("local/shell", "v5", "main.sh", "", build("true"));
    private static final Runtime NODE = new Runtime("local/node", "v5", "index.js", "", build("true"));

    static Stream<Scenario> provideScenarios() {
        byte[] binary = {0, 10, (byte) 255};
        return Stream.of(
                new Scenario("node-empty-object", SHELL, shell("printf '{}'"), JSON_TYPE, null, true,
                        answer -> {
                            answer.isOk(200);
                            assertThat(answer.text("body")).isEqualTo("{}");
                            answer.noLogs();
                        }),
                new Scenario("node-empty-array", SHELL, shell("printf '[]'"), JSON_TYPE, null, true,
                        answer -> {
                            answer.isOk(200);
                            assertThat(answer.text("body")).isEqualTo("[]");
                            answer.noLogs();
                        }),
                new Scenario("node-timeout", SHELL, shell("sleep 60; echo OK"), SHELL.buildCommand(), JSON_TYPE, null,
                        true, 1, 512, 2, answer -> {
                            answer.isOk(500);
                            assertThat(answer.text("errors")).contains("Execution timed out.");
                            assertThat(answer.text("logs")).isEmpty();
                        }, built -> { }),
                new Scenario("node-logs", SHELL,
                        shell("head -c 1048576 /dev/zero | tr '\\0' A >&2; echo warning >&2; printf OK"), JSON_TYPE,
                        "1".getBytes(StandardCharsets.UTF_8), false, answer -> {
                            assertThat(answer.status()).isEqualTo(200);
                            assertThat(answer.text("body")).isEqualTo("OK");
                            answer.noLogs();
                        }),
                new Scenario("node-long-coldstart", NODE, node("setTimeout(() => http.createServer((req, res) =>"
                        + " res.end('OK')).listen(Number(process.env.PORT), '127.0.0.1'), 2000);"), JSON_TYPE, null, true,
                        answer -> {
                            answer.isOk(200);
                            assertThat(answer.text("body")).isEqualTo("OK");
                            assertThat(answer.number("duration")).as("duration counts the cold start").isGreaterThan(2);
                            answer.noLogs();
                        }),
                new Scenario("node-binary-response", SHELL, shell("printf '\\000\\n\\377'"), MULTIPART, null,
                        true, answer -> {
                            answer.isOk(200);
                            assertThat(answer.bytes("body")).containsExactly(binary);
                            answer.noLogs();
                        }),
                new Scenario("node-binary-response", SHELL, shell("printf '\\000\\n\\377'"), JSON_TYPE, null,
                        true, answer -> {
                            assertThat(answer.status()).isEqualTo(400);
                            assertThat(answer.text("message")).contains("JSON response does not allow binaries");
                        }),
                new Scenario("node-binary-request", SHELL, shell("cat"), MULTIPART, binary, true, answer -> {
                    answer.isOk(200);
                    assertThat(answer.bytes("body")).containsExactly(binary);
                    answer.noLogs();
                }),
                new Scenario("node-specs", SHELL,
                        shell("printf '{\"cpus\":\"%s\",\"memory\":\"%s\"}' \"$OPEN_RUNTIMES_CPUS\" \"$OPEN_RUNTIMES_MEMORY\""),
                        build("echo \"cpus=$OPEN_RUNTIMES_CPUS\" && echo \"memory=$OPEN_RUNTIMES_MEMORY\""), JSON_TYPE, null,
                        true, 2.5, 1024, 45, answer -> {
                            answer.isOk(200);
                            Map<?, ?> json = JSON.readValue(answer.text("body"), Map.class);
                            assertThat(json.get("cpus")).isEqualTo("2.5");
                            assertThat(json.get("memory")).isEqualTo("1024");
                            answer.noLogs();
                        }, built -> assertThat(UpstreamScenarios.output(built)).contains("cpus=2.5")
                                .contains("memory=1024")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("provideScenarios")
    void testScenarios(Scenario scenario) {
        UpstreamScenarios.run(client, scenario,
                "/" + store("storage/functions/" + scenario.folder() + "/code.tar.gz", scenario.code()));
    }

    /**
     * A build command in the shape of upstream's (extract into the code directory, run the install command, leave
     * {@code /mnt/code/code.tar.gz}), for functions that have no Open Runtimes helpers.
     */
    private static String build(String install) {
        return "tar -zxf /tmp/code.tar.gz -C /mnt/code && cd /mnt/code && (" + install
                + ") && tar -czf \"$TMPDIR/out.tar.gz\" . && mv \"$TMPDIR/out.tar.gz\" /mnt/code/code.tar.gz";
    }

    private static TarGz.Builder shell(String script) {
        return TarGz.builder().file("main.sh", script);
    }

    private static TarGz.Builder node(String server) {
        return TarGz.builder().file("index.js", "const http = require('http');\n" + server);
    }
}
