package dev.hearth.gateway.metrics;

import static dev.hearth.gateway.metrics.HearthMetrics.TAG_IMAGE;
import static dev.hearth.gateway.metrics.HearthMetrics.TAG_OUTCOME;

import java.util.Collection;
import java.util.concurrent.TimeUnit;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import dev.hearth.gateway.config.HearthProperties;
import dev.hearth.pool.PoolConfig;
import dev.hearth.pool.PoolObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The pools' events as Micrometer meters ({@link HearthMetrics#POOL_ACQUIRE}, {@link HearthMetrics#POD_START},
 * {@link HearthMetrics#PODS_REAPED}), all registered at start: recording one is a map read, an array index and
 * the meter's own atomic update.
 */
@Component
public class PoolMeters implements PoolObserver {

    private final ByImage<Timer[]> acquire;
    private final ByImage<Timer[]> podStart;
    private final Counter[] reaped;

    @Autowired
    public PoolMeters(MeterRegistry registry, HearthProperties properties) {
        this(registry, properties.poolConfigs().stream().map(PoolConfig::image).toList());
    }

    /** @param images the configured pool images, whose meters are registered at once */
    PoolMeters(MeterRegistry registry, Collection<String> images) {
        this.acquire = new ByImage<>(images, image -> ByImage.each(Acquisition.values(), outcome ->
                acquireTimer(registry, image, outcome), Timer[]::new));
        this.podStart = new ByImage<>(images, image -> ByImage.each(PodStart.values(), outcome ->
                Timer.builder(HearthMetrics.POD_START)
                        .description("Pod creation to warm")
                        .tags(TAG_IMAGE, image, TAG_OUTCOME, ByImage.tag(outcome))
                        .register(registry), Timer[]::new));
        this.reaped = ByImage.each(Reap.values(), reason -> Counter.builder(HearthMetrics.PODS_REAPED)
                .description("Pods deleted by the pool or the reconciler rather than with their runtime")
                .tag(HearthMetrics.TAG_REASON, ByImage.tag(reason))
                .register(registry), Counter[]::new);
    }

    private static Timer acquireTimer(MeterRegistry registry, String image, Acquisition outcome) {
        return Timer.builder(HearthMetrics.POOL_ACQUIRE)
                .description("Waiting for a pod of the pool, by how the acquisition ended")
                .tags(TAG_IMAGE, image, TAG_OUTCOME, ByImage.tag(outcome))
                .serviceLevelObjectives(HearthMetrics.ACQUIRE_SLOS)
                .register(registry);
    }

    @Override
    public void acquired(String image, Acquisition outcome, long nanos) {
        acquire.get(image)[outcome.ordinal()].record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void podStarted(String image, PodStart outcome, long nanos) {
        podStart.get(image)[outcome.ordinal()].record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void podsReaped(Reap reason, int count) {
        reaped[reason.ordinal()].increment(count);
    }
}
