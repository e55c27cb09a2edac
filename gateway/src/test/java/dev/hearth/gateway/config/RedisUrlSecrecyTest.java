package dev.hearth.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;

import dev.hearth.gateway.HearthApplication;

/** A Redis URL carries the password: whatever goes wrong with it, the password is not in the error. */
class RedisUrlSecrecyTest {

    @TempDir
    Path work;

    @Test
    void aGatewayThatCannotReachRedisFailsToStartWithoutPrintingThePassword() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String password = "pa'ss-w0rd"; // a quote is legal in userinfo

        Throwable failure = catchThrowable(() -> new SpringApplicationBuilder(HearthApplication.class)
                .logStartupInfo(false)
                .run("--server.port=0", "--hearth.executor.secret=s", "--hearth.work-dir=" + work,
                        "--hearth.redis.url=redis://:" + password + "@127.0.0.1:" + closedPort,
                        "--hearth.redis.command-timeout=500ms", "--hearth.redis.connect-timeout=1s")
                .close());

        assertThat(failure).as("startup without its Redis").isNotNull();
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            assertThat(String.valueOf(cause.getMessage())).as("message of %s", cause.getClass().getName())
                    .doesNotContain("pa'ss");
        }
        assertThat(failure).as("the failure names Redis").hasStackTraceContaining("Redis");
    }
}
