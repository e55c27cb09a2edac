package dev.hearth.pool.redis;

import dev.hearth.pool.StoreUnavailableException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;

import org.junit.jupiter.api.Test;

class RedisConfigTest {

    @Test
    void tlsAndPasswordComeFromTheUrl() {
        RedisConfig config = RedisConfig.of("rediss://user:hunter2@redis.example:6380/2");
        assertThat(config.redisUri().isSsl()).as("TLS").isTrue();
        assertThat(new String(config.redisUri().getCredentialsProvider().resolveCredentials().block().getPassword()))
                .as("password").isEqualTo("hunter2");
        assertThat(config.redisUri().getDatabase()).as("database").isEqualTo(2);
        assertThat(config.redisUri().getTimeout()).as("command timeout").isEqualTo(RedisConfig.DEFAULT_COMMAND_TIMEOUT);
        assertThat(config.keyPrefix()).isEqualTo("hearth:");
    }

    @Test
    void neverPrintsThePassword() {
        assertThat(RedisConfig.of("redis://:hunter2@localhost:6379").toString()).doesNotContain("hunter2")
                .contains("localhost:6379");
        assertThatThrownBy(() -> RedisConfig.of("http://:hunter2@localhost"))
                .hasMessageContaining("redis:// or rediss://")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void rejectsANonPositiveTimeoutNamingIt() {
        assertThatThrownBy(() -> new RedisConfig("redis://localhost", Duration.ZERO, "hearth:", 3))
                .hasMessage("hearth.redis.command-timeout must be positive, but was PT0S");
        assertThatThrownBy(() -> new RedisConfig("redis://localhost", Duration.ofSeconds(1), "hearth:", -1))
                .hasMessage("hearth.redis.claim-replays must be >= 0, but was -1");
    }

    @Test
    void connectingToNoRedisFailsAsUnavailableWithoutThePassword() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        Throwable error = catchThrowable(() -> RedisConnections.connect(new RedisConfig(
                "redis://:hunter2@127.0.0.1:" + closedPort, Duration.ofSeconds(1), "hearth:", 0, Duration.ofSeconds(3))));
        assertThat(error).isInstanceOf(StoreUnavailableException.class);
        assertThat(error.getMessage()).contains("127.0.0.1:" + closedPort).doesNotContain("hunter2")
                .containsPattern("\\([2-9] attempt\\(s\\) within PT3S\\)");
    }
}
