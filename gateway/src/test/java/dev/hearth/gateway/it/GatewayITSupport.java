package dev.hearth.gateway.it;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.hearth.pool.Pools;
import dev.hearth.pool.lease.InMemoryLeaseStore;
import dev.hearth.pool.lease.LeaseStore;
import dev.hearth.pool.registry.RuntimeRecord;
import dev.hearth.pool.runtime.Runtimes;
import dev.hearth.runner.testing.TarGz;

/**
 * One gateway on the embedded default for all integration tests (one Spring context, real HTTP, real
 * runners and function processes). After every test, every runtime is deleted and the test fails unless
 * no lease, no function process and no surplus pod is left.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "hearth.executor.secret=" + GatewayITSupport.SECRET,
        "hearth.pool-defaults.acquire-timeout=5s",
        "hearth.pools[0].image=local/python", "hearth.pools[0].adapter=exec", "hearth.pools[0].command=python3",
        "hearth.pools[0].size=1",
        "hearth.pools[1].image=local/node", "hearth.pools[1].adapter=http", "hearth.pools[1].command=node",
        "hearth.pools[1].size=1",
        "hearth.pools[2].image=local/shell", "hearth.pools[2].adapter=exec", "hearth.pools[2].command=sh",
        "hearth.pools[2].size=2",
        "hearth.pools[3].image=test/small", "hearth.pools[3].adapter=exec", "hearth.pools[3].command=sh",
        "hearth.pools[3].size=2", "hearth.pools[3].max=4", "hearth.pools[3].max-pending=6",
        "hearth.pools[3].acquire-timeout=3s",
})
abstract class GatewayITSupport {

    static final String SECRET = "it-secret-" + "0123456789";
    /** How long the integration tests wait for a condition: generous, for a loaded 2-core machine. */
    static final Duration WAIT = Duration.ofSeconds(15);
    static final Path WORK = tempDir("hearth-it-work");
    static final Path STORAGE = tempDir("hearth-it-storage");

    @Value("${local.server.port}")
    int port;

    @Autowired
    Runtimes runtimes;

    @Autowired
    LeaseStore leaseStore;

    @Autowired
    Pools pools;

    WebTestClient client;

    @DynamicPropertySource
    static void directories(DynamicPropertyRegistry registry) {
        registry.add("hearth.work-dir", WORK::toString);
        registry.add("hearth.storage-root", STORAGE::toString);
    }

    @BeforeEach
    void client() {
        client = WebTestClient.bindToServer(new ReleasingConnector())
                .baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(60))
                .defaultHeader("Authorization", "Bearer " + SECRET)
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(64 * 1024 * 1024))
                .build();
    }

    /** Deletes what the test left and proves nothing leaked. */
    @AfterEach
    void nothingLeaked() {
        List<RuntimeRecord> left = runtimes.list().collectList().block();
        left.forEach(record -> runtimes.delete(record.runtimeId()).onErrorResume(e -> reactor.core.publisher.Mono.empty()).block());
        await("no lease is held").atMost(GatewayITSupport.WAIT).until(() -> ((InMemoryLeaseStore) leaseStore).activeLeases() == 0);
        await("no function process is alive").atMost(GatewayITSupport.WAIT).until(() -> ProcessHandle.current().descendants()
                .allMatch(this::isFixture));
        await("every pool is back to its size with nothing claimed").atMost(GatewayITSupport.WAIT).until(() -> pools.all().stream().allMatch(pool ->
                pool.metrics().claimed() == 0 && pool.metrics().warm() == pool.config().size()
                        && pool.metrics().pending() == 0));
    }

    /** Whether {@code process} is a fixture of the test class (a server it runs), not a function's process. */
    boolean isFixture(ProcessHandle process) {
        return false;
    }

    /** Writes a function archive into the storage root and returns its {@code source} path. */
    static String store(String name, TarGz.Builder archive) {
        Path file = STORAGE.resolve(name);
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        archive.writeTo(file);
        return name;
    }

    static String storeExample(String example) {
        Path dir = Path.of("..", "examples", example);
        TarGz.Builder archive = TarGz.builder();
        try (var files = Files.list(dir)) {
            files.forEach(file -> archive.file(file.getFileName().toString(), read(file), 0644));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return store(example + ".tar.gz", archive);
    }

    WebTestClient.ResponseSpec post(String uri, Map<String, ?> json) {
        return client.post().uri(uri).contentType(MediaType.APPLICATION_JSON).bodyValue(json).exchange();
    }

    WebTestClient.ResponseSpec createRuntime(String id, String image, String source, String entrypoint) {
        return post("/v1/runtimes", Map.of("runtimeId", id, "image", image, "source", source,
                "entrypoint", entrypoint));
    }

    WebTestClient.ResponseSpec executeJson(String id, Map<String, ?> params) {
        return client.post().uri("/v1/runtimes/" + id + "/executions")
                .contentType(MediaType.APPLICATION_JSON)
                .accept(MediaType.APPLICATION_JSON)
                .bodyValue(params)
                .exchange();
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts an execution of {@code runtimeId} that streams for ten minutes, reads its answer past 100 KB and goes
     * away, as a client that leaves mid-stream does.
     */
    void leaveMidStream(String runtimeId) {
        java.util.concurrent.atomic.AtomicLong received = new java.util.concurrent.atomic.AtomicLong();
        reactor.netty.http.client.HttpClient.create()
                .baseUrl("http://127.0.0.1:" + port)
                .headers(h -> h.set("Authorization", "Bearer " + SECRET).set("content-type", "application/json")
                        .set("accept", "multipart/form-data"))
                .post().uri("/v1/runtimes/" + runtimeId + "/executions")
                .send(reactor.core.publisher.Mono.just(io.netty.buffer.Unpooled.copiedBuffer("{\"timeout\":600}",
                        java.nio.charset.StandardCharsets.UTF_8)))
                .responseContent()
                .map(io.netty.buffer.ByteBuf::readableBytes)
                .doOnNext(received::addAndGet)
                .takeUntil(n -> received.get() > 100_000)
                .blockLast(Duration.ofSeconds(30));
    }
}
