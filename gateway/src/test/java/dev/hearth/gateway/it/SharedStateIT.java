package dev.hearth.gateway.it;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.hearth.gateway.HearthApplication;
import dev.hearth.pool.Pools;
import dev.hearth.pool.redis.RedisServerExtension;
import dev.hearth.runner.testing.TarGz;

/**
 * Two gateway replicas (separate application contexts) on one real redis-server: any replica lists,
 * executes and deletes any runtime; with Redis unreachable, new claims fail closed with 503 while held
 * runtimes keep serving, and service resumes without a restart.
 */
class SharedStateIT {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final String SECRET = "shared-state-secret";
    private static Path storage;
    private static ConfigurableApplicationContext a;
    private static ConfigurableApplicationContext b;

    @BeforeAll
    static void startReplicas() throws Exception {
        storage = Files.createTempDirectory("hearth-shared-storage");
        TarGz.builder().file("main.sh", "echo \"served by pod\"; cat").writeTo(storage.resolve("echo.tar.gz"));
        a = replica("a");
        b = replica("b");
    }

    @AfterAll
    static void stopReplicas() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    /** Each test starts from no runtime and no claimed pod, whatever the previous one left. */
    @AfterEach
    void deleteEverything() {
        for (ConfigurableApplicationContext replica : List.of(a, b)) {
            dev.hearth.pool.runtime.Runtimes runtimes = replica.getBean(dev.hearth.pool.runtime.Runtimes.class);
            runtimes.list().flatMap(record -> runtimes.delete(record.runtimeId()).onErrorResume(e -> reactor.core.publisher.Mono.empty()))
                    .onErrorResume(e -> reactor.core.publisher.Flux.empty())
                    .blockLast(Duration.ofSeconds(10));
        }
        for (ConfigurableApplicationContext replica : List.of(a, b)) {
            Pools pools = replica.getBean(Pools.class);
            await("no claimed pod left").atMost(GatewayITSupport.WAIT).until(() -> pools.forImage("local/shell").metrics().claimed() == 0);
        }
    }

    private static ConfigurableApplicationContext replica(String name) throws Exception {
        return new SpringApplicationBuilder(HearthApplication.class).run(
                "--server.port=0",
                "--hearth.executor.secret=" + SECRET,
                "--hearth.redis.url=" + REDIS.url(),
                "--hearth.redis.command-timeout=500ms",
                "--hearth.runtimes.lease-ttl=30s",
                "--hearth.storage-root=" + storage,
                "--hearth.work-dir=" + Files.createTempDirectory("hearth-replica-" + name),
                "--hearth.pools[0].image=local/shell", "--hearth.pools[0].adapter=exec",
                "--hearth.pools[0].command=sh", "--hearth.pools[0].size=1");
    }

    private static WebTestClient client(ConfigurableApplicationContext replica) {
        String port = replica.getEnvironment().getProperty("local.server.port");
        return WebTestClient.bindToServer(new ReleasingConnector()).baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(30))
                .defaultHeader("Authorization", "Bearer " + SECRET)
                .build();
    }

    private static WebTestClient.ResponseSpec create(WebTestClient client, String id) {
        return client.post().uri("/v1/runtimes").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("runtimeId", id, "image", "local/shell", "source", "echo.tar.gz",
                        "entrypoint", "main.sh"))
                .exchange();
    }

    private static WebTestClient.ResponseSpec execute(WebTestClient client, String id, String body) {
        return client.post().uri("/v1/runtimes/" + id + "/executions").contentType(MediaType.APPLICATION_JSON)
                .accept(MediaType.APPLICATION_JSON).bodyValue(Map.of("body", body, "method", "POST")).exchange();
    }

    @Test
    void anyReplicaListsExecutesAndDeletesAnyRuntime() {
        create(client(a), "shared-1").expectStatus().isCreated();
        String listed = client(b).get().uri("/v1/runtimes").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(listed).as("replica b lists the runtime a created").contains("-shared-1\"");
        execute(client(b), "shared-1", "via-b").expectStatus().isOk()
                .expectBody().jsonPath("$.body").isEqualTo("served by pod\nvia-b");

        client(b).delete().uri("/v1/runtimes/shared-1").exchange().expectStatus().isOk();
        execute(client(a), "shared-1", "x").expectStatus().isNotFound();
        Pools poolsOfA = a.getBean(Pools.class);
        await("replica a destroyed the pod after b's delete").atMost(GatewayITSupport.WAIT).until(() ->
                poolsOfA.forImage("local/shell").metrics().claimed() == 0);
        await("no lease left in Redis").atMost(GatewayITSupport.WAIT).until(() ->
                "0".equals(REDIS.command("EVAL", "return #redis.call('keys', ARGV[1])", "0", "hearth:lease:*")));
    }

    @Test
    void redisOutageFailsNewClaimsClosedWhileHeldRuntimesServe() throws Exception {
        create(client(a), "held-1").expectStatus().isCreated();
        REDIS.pause();
        try {
            execute(client(a), "held-1", "during-outage").expectStatus().isOk()
                    .expectBody().jsonPath("$.body").isEqualTo("served by pod\nduring-outage");
            create(client(a), "new-1").expectStatus().isEqualTo(503)
                    .expectBody().jsonPath("$.type").isEqualTo("store_unavailable");
            execute(client(b), "held-1", "x").expectStatus().isEqualTo(503);
            // 10 s of load during the outage: the held runtime serves every execution, every claim is refused.
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            int served = 0;
            int refused = 0;
            while (System.nanoTime() < until) {
                execute(client(a), "held-1", "load").expectStatus().isOk();
                served++;
                if (served % 10 == 0) {
                    create(client(a), "load-" + served).expectStatus().isEqualTo(503);
                    refused++;
                }
            }
            assertThat(served).as("executions served during the outage").isGreaterThan(20);
            assertThat(refused).as("claims refused during the outage").isPositive();
        } finally {
            REDIS.resume();
        }
        await("claims work again without a restart").atMost(GatewayITSupport.WAIT).until(() -> {
            int status = create(client(a), "new-1").returnResult(String.class).getStatus().value();
            return status == 201;
        });
        execute(client(b), "held-1", "after").expectStatus().isOk();
        client(a).delete().uri("/v1/runtimes/held-1").exchange().expectStatus().isOk();
        client(b).delete().uri("/v1/runtimes/new-1").exchange().expectStatus().isOk();
        Pools poolsOfA = a.getBean(Pools.class);
        await("every pod released").atMost(GatewayITSupport.WAIT).until(() -> poolsOfA.forImage("local/shell").metrics().claimed() == 0);
        assertThat(REDIS.command("EVAL", "return #redis.call('keys', ARGV[1])", "0", "hearth:runtime:*"))
                .as("no runtime left in Redis").isEqualTo("0");
    }

    @Test
    void redisRestartedEmptyLeaksNoLeaseNoPod() throws Exception {
        create(client(a), "lost-1").expectStatus().isCreated();
        REDIS.stop();
        execute(client(a), "lost-1", "while-down").expectStatus().isOk();
        create(client(b), "lost-2").expectStatus().isEqualTo(503);
        REDIS.start();
        Pools poolsOfA = a.getBean(Pools.class);
        await("the runtime whose lease vanished with Redis's data is ended and its pod destroyed").atMost(GatewayITSupport.WAIT).until(() -> poolsOfA.forImage("local/shell").metrics().claimed() == 0);
        execute(client(a), "lost-1", "x").expectStatus().isNotFound();
        await("replica a's pool is back to its own size").atMost(GatewayITSupport.WAIT).until(() -> poolsOfA.forImage("local/shell").metrics().warm() == poolsOfA.forImage("local/shell").config().size());
        create(client(b), "lost-2").expectStatus().isCreated();
        client(a).delete().uri("/v1/runtimes/lost-2").exchange().expectStatus().isOk();
    }

}
