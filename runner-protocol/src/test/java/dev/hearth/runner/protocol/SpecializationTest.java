package dev.hearth.runner.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.Test;

class SpecializationTest {

    @Test
    void roundTripsThroughTheHeaderWithEveryField() {
        Specialization sent = new Specialization("openruntimes", "node index.js", "index.js", Map.of("K", "V"), 5_000,
                1.5, 512, false, "always", "v2");
        Specialization received = ProtocolJson.fromHeader(ProtocolJson.toHeader(sent), Specialization.class);
        assertThat(received).as("decoded header").isEqualTo(sent);
    }

    @Test
    void aHeaderWithoutResourcesLoggingOrRestartPolicyDecodesWithDefaults() {
        String json = "{\"adapter\":\"exec\",\"command\":\"sh main.sh\",\"entrypoint\":\"main.sh\",\"env\":{},"
                + "\"startTimeoutMs\":10000}";
        String header = Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
        Specialization received = ProtocolJson.fromHeader(header, Specialization.class);
        assertThat(received.cpus()).as("cpus not given").isZero();
        assertThat(received.memoryMb()).as("memory not given").isZero();
        assertThat(received.logging()).as("logging on unless turned off").isTrue();
        assertThat(received.restartPolicy()).as("restart policy").isEqualTo("no");
        assertThat(received.version()).as("Open Runtimes' current runtime protocol").isEqualTo("v5");
    }

    @Test
    void anExecutionsVariablesRoundTripAndAreAbsentUnlessGiven() {
        ExecutionRequest given = new ExecutionRequest("GET", "/", Map.of(), 1_000, true, Map.of("K", "V"));
        assertThat(ProtocolJson.fromHeader(ProtocolJson.toHeader(given), ExecutionRequest.class)).isEqualTo(given);
        ExecutionRequest none = new ExecutionRequest("GET", "/", Map.of(), 1_000);
        assertThat(ProtocolJson.fromHeader(ProtocolJson.toHeader(none), ExecutionRequest.class).variables()).isNull();
    }
}
