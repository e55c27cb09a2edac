package dev.hearth.pool.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.hearth.pool.Pod;
import dev.hearth.pool.PoolConfig;
import dev.hearth.pool.runtime.RuntimeSpec;
import dev.hearth.runner.client.RunnerClient;
import dev.hearth.runner.client.RunnerConnections;
import dev.hearth.runner.client.SpecializeResult;
import dev.hearth.runner.testing.TarGz;
import io.netty.buffer.Unpooled;
import reactor.core.publisher.Mono;
import reactor.netty.http.HttpResources;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionPoolMetrics;
import reactor.netty.resources.ConnectionProvider;

/** The local driver with the gateway's runner client: real runners on loopback. */
class LocalPodDriverIT {

    private static final PoolConfig POOL = new PoolConfig("local/shell", 1, 4, 8, Duration.ofSeconds(10), "exec",
            "sh", Duration.ofSeconds(10));

    @TempDir
    Path work;

    /** Channels the client opened (doOnConnected would count every acquisition from the pool as well). */
    private final AtomicInteger connections = new AtomicInteger();
    /** The pool's own gauges, once it holds connections to the runner: how many of them are idle. */
    private final AtomicReference<ConnectionPoolMetrics> pool = new AtomicReference<>();
    private final ConnectionProvider provider = ConnectionProvider.builder("local-pod-driver-it")
            .maxIdleTime(Duration.ofMinutes(5))
            .metrics(true, () -> (poolName, id, address, metrics) -> pool.set(metrics))
            .build();
    private final RunnerClient client = new RunnerClient(HttpClient.create(provider)
            .doOnChannelInit((observer, channel, address) -> connections.incrementAndGet()),
            new RunnerConnections(HttpResources.get(), Duration.ofSeconds(2), Duration.ofMinutes(5)));
    private LocalPodDriver driver;

    @AfterEach
    void stop() {
        driver.close();
        provider.disposeLater().block(Duration.ofSeconds(5));
        assertThat(driver.livePods()).as("pods after the test").isZero();
    }

    @Test
    void aWarmPodHasAnsweredHealthAndItsClaimSpecializesThroughThatConnection() {
        driver = new LocalPodDriver(work, "127.0.0.1", client);

        Pod pod = driver.create(POOL).block(Duration.ofSeconds(10));

        assertThat(connections).as("connections opened until the pod is warm: its health check's").hasValue(1);
        // The health call's connection goes back to the pool just after its answer completed; a claim comes later.
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.get() != null && pool.get().idleSize() == 1);
        byte[] archive = TarGz.builder().file("main.sh", "echo hi").build();
        SpecializeResult loaded = client.specialize(pod.target(1),
                        RuntimeSpec.of("rt-1", "local/shell", "main.sh", Map.of()).specialization(POOL),
                        Mono.fromSupplier(() -> Unpooled.wrappedBuffer(archive)))
                .block(Duration.ofSeconds(10));
        assertThat(loaded.extractMs()).isPositive();
        assertThat(connections).as("the specialize call reused the warm pod's connection").hasValue(1);
    }

    @Test
    void withoutAClientAPodIsWarmOnceItsRunnerListens() {
        driver = new LocalPodDriver(work, "127.0.0.1");

        Pod pod = driver.create(POOL).block(Duration.ofSeconds(10));

        assertThat(connections).hasValue(0);
        assertThat(client.health(pod.host(), pod.port()).block(Duration.ofSeconds(10)).specialized()).isFalse();
        assertThat(connections).hasValue(1);
    }
}
