package dev.hearth.gateway.it;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

import dev.hearth.pool.PodPool;
import dev.hearth.runner.testing.TarGz;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/** 20 runtimes created at once from a pool of size 2, max 4, at most 6 waiting. */
class PoolPressureIT extends GatewayITSupport {

    @Test
    void burstOfCreationsRefillsThePoolAndHoldsThePendingBound() {
        String source = store("p.tar.gz", TarGz.builder().file("main.sh", "echo ok"));
        PodPool pool = pools.forImage("test/small");
        AtomicInteger maxPending = new AtomicInteger();
        AtomicInteger maxHeld = new AtomicInteger();
        Disposable sampler = Flux.interval(Duration.ofMillis(2))
                .subscribe(tick -> sample(pool, maxPending, maxHeld));
        // One connection per request, so that all 20 reach the gateway at once.
        WebClient web = WebClient.builder()
                .baseUrl("http://127.0.0.1:" + port)
                .clientConnector(new ReactorClientHttpConnector(HttpClient.create(ConnectionProvider.newConnection())))
                .build();
        List<Integer> statuses = Flux.range(0, 20)
                .flatMap(i -> web.post().uri("/v1/runtimes")
                        .header("Authorization", "Bearer " + SECRET)
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(Map.of("runtimeId", "burst-" + i, "image", "test/small", "source", source,
                                "entrypoint", "main.sh"))
                        .exchangeToMono(response -> Mono.just(response.statusCode().value())), 20)
                .collectList()
                .block(Duration.ofSeconds(60));
        sampler.dispose();

        // Nothing is deleted during the burst, so: max (4) pods serve; of the others, at most max-pending (6) are
        // left waiting for pods that never come and time out after the 3 s acquire timeout, and the rest are refused
        // at once. How many wait depends on how the burst interleaves with the pool's decisions (a waiter a warm or
        // new pod is about to serve does not count against the bound), so only the bound is exact.
        long created = statuses.stream().filter(status -> status == 201).count();
        long timedOut = statuses.stream().filter(status -> status == 400).count();
        long refused = statuses.stream().filter(status -> status == 503).count();
        assertThat(statuses).as("statuses").hasSize(20);
        assertThat(created).as("created").isEqualTo(4);
        assertThat(timedOut).as("timed out waiting").isBetween(1L, 6L);
        assertThat(refused).as("refused at once").isEqualTo(16 - timedOut);
        assertThat(maxPending.get()).as("waiters left for new pods never above the bound").isLessThanOrEqualTo(6);
        assertThat(maxHeld.get()).as("pods never above max").isLessThanOrEqualTo(4);

        runtimes.list().filter(record -> record.runtimeId().startsWith("burst-"))
                .flatMap(record -> runtimes.delete(record.runtimeId()))
                .blockLast(Duration.ofSeconds(30));
        await("pool refilled to size 2").atMost(GatewayITSupport.WAIT).until(() -> pool.metrics().warm() == 2);
    }

    private static void sample(PodPool pool, AtomicInteger maxPending, AtomicInteger maxHeld) {
        var metrics = pool.metrics();
        // Waiters the warm pods will serve at the next decision may queue beyond the bound (PoolBook.arrived): a
        // snapshot taken before that decision may show max-pending + warm; what would be left waiting never exceeds it.
        maxPending.accumulateAndGet(metrics.pending() - metrics.warm(), Math::max);
        maxHeld.accumulateAndGet(metrics.warm() + metrics.claimed() + metrics.creating(), Math::max);
    }
}
