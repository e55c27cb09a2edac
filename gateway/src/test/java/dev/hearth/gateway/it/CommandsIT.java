package dev.hearth.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;

import dev.hearth.runner.testing.TarGz;

/**
 * {@code POST /v1/runtimes/{id}/commands}: what Hearth adds to the upstream executor's scenario {@code testCommands}
 * (§5.2, test 19, ported in {@link UpstreamExecutorIT#testCommands}): a command runs in the function's code with its
 * environment, its timeout ends its whole process tree, stderr follows stdout, and the route is authenticated.
 */
class CommandsIT extends GatewayITSupport {

    @Test
    void aCommandRunsInTheFunctionsCodeAndItsTimeoutEndsItsProcesses() {
        String source = store("commands.tar.gz", TarGz.builder().file("main.sh", "echo function").file("data.txt", "in code\n"));
        createRuntime("cmd-1", "local/shell", source, "main.sh").expectStatus().isCreated();

        command("cmd-1", Map.of("command", "echo 'Hello, World!' && cat data.txt && echo \"$HEARTH_ENTRYPOINT\""))
                .expectStatus().isOk()
                .expectBody().jsonPath("$.output").isEqualTo("Hello, World!\nin code\nmain.sh\n");

        command("cmd-1", Map.of("command", "sleep 5", "timeout", 1))
                .expectStatus().isEqualTo(500)
                .expectBody().jsonPath("$.type").isEqualTo("command_timeout");
        await("the timed-out command's process is gone").atMost(WAIT).until(() -> ProcessHandle.current()
                .descendants().noneMatch(process -> process.info().commandLine().orElse("").contains("sleep 5")));
    }

    @Test
    void stderrFollowsStdoutInTheOutput() {
        String source = store("commands-2.tar.gz", TarGz.builder().file("main.sh", "echo function"));
        createRuntime("cmd-2", "local/shell", source, "main.sh").expectStatus().isCreated();

        command("cmd-2", Map.of("command", "echo to-stderr >&2; echo to-stdout"))
                .expectStatus().isOk()
                .expectBody().jsonPath("$.output").isEqualTo("to-stdout\nto-stderr\n");
    }

    @Test
    void aCommandNeedsTheExecutorSecretAndACommand() {
        client.mutate().defaultHeader("Authorization", "Bearer wrong").build()
                .post().uri("/v1/runtimes/any/commands").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("command", "id")).exchange()
                .expectStatus().isUnauthorized();

        command("any", Map.of())
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.message").value(message -> assertThat(message.toString()).contains("command"));
    }

    private org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec command(String id, Map<String, ?> body) {
        return post("/v1/runtimes/" + id + "/commands", body);
    }
}
