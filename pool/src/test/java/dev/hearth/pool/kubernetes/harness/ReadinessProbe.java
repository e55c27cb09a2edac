package dev.hearth.pool.kubernetes.harness;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerPort;
import io.kubernetes.client.openapi.models.V1Probe;

/**
 * A container's readiness probe as the kubelet runs it (container mode): {@code httpGet} on the pod's address, after
 * {@code initialDelaySeconds}, every {@code periodSeconds} (Kubernetes' defaults: 0, 10 s, failure threshold 3, 1 s
 * timeout); a 2xx or 3xx passes. Ready after one pass, unready after {@code failureThreshold} failures in a row. Without
 * a probe the container is ready at once. {@code onChange} hears each change, on a worker thread, one at a time.
 */
final class ReadinessProbe {

    private final URI uri;
    private final int threshold;
    private final HttpClient http;
    private final Consumer<Boolean> onChange;
    private volatile ScheduledFuture<?> schedule;
    private boolean ready;
    private int failures;

    private ReadinessProbe(URI uri, int threshold, HttpClient http, Consumer<Boolean> onChange) {
        this.uri = uri;
        this.threshold = threshold;
        this.http = http;
        this.onChange = onChange;
    }

    /** Starts probing {@code container} at {@code ip}; only {@code httpGet} probes are simulated. */
    static ReadinessProbe start(V1Container container, String ip, ScheduledExecutorService timer, Executor workers,
                                HttpClient http, Consumer<Boolean> onChange) {
        V1Probe readiness = container.getReadinessProbe();
        if (readiness == null) {
            ReadinessProbe none = new ReadinessProbe(null, 0, http, onChange);
            workers.execute(() -> onChange.accept(true));
            return none;
        }
        if (readiness.getHttpGet() == null) {
            throw new IllegalArgumentException("only httpGet readiness probes are simulated, but container "
                    + container.getName() + " has " + readiness);
        }
        URI uri = URI.create("http://" + ip + ":" + port(container, readiness) + readiness.getHttpGet().getPath());
        ReadinessProbe probe = new ReadinessProbe(uri,
                readiness.getFailureThreshold() == null ? 3 : readiness.getFailureThreshold(), http, onChange);
        long period = Math.max(1, readiness.getPeriodSeconds() == null ? 10 : readiness.getPeriodSeconds()) * 1000L;
        long initialDelay = readiness.getInitialDelaySeconds() == null ? 0 : readiness.getInitialDelaySeconds() * 1000L;
        probe.schedule = timer.scheduleWithFixedDelay(() -> workers.execute(probe::once), initialDelay, period,
                TimeUnit.MILLISECONDS);
        return probe;
    }

    /** No probe after this one; idempotent. */
    void stop() {
        if (schedule != null) {
            schedule.cancel(false);
        }
    }

    private void once() {
        boolean passed;
        try {
            int code = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(1)).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
            passed = code >= 200 && code < 400;
        } catch (IOException e) {
            passed = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        synchronized (this) {
            failures = passed ? 0 : failures + 1;
            if (passed != ready && (passed || failures >= threshold)) {
                ready = passed;
                onChange.accept(passed);
            }
        }
    }

    private static int port(V1Container container, V1Probe readiness) {
        var port = readiness.getHttpGet().getPort();
        if (port.isInteger()) {
            return port.getIntValue();
        }
        return container.getPorts().stream()
                .filter(p -> port.getStrValue().equals(p.getName()))
                .map(V1ContainerPort::getContainerPort)
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no port named " + port.getStrValue()));
    }
}
