package dev.hearth.gateway.metrics;

import static dev.hearth.gateway.metrics.HearthMetrics.TAG_IMAGE;
import static dev.hearth.gateway.metrics.HearthMetrics.TAG_OUTCOME;

import java.util.Collection;
import java.util.concurrent.TimeUnit;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import dev.hearth.gateway.config.HearthProperties;
import dev.hearth.pool.PoolConfig;
import dev.hearth.pool.runtime.RuntimeObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The runtime lifecycle's events as Micrometer meters ({@link HearthMetrics#LEASE_CLAIM},
 * {@link HearthMetrics#RUNTIME_SPECIALIZE}, {@link HearthMetrics#LEASE_RENEWALS},
 * {@link HearthMetrics#RUNTIMES_RELEASED}), all registered at start.
 */
@Component
public class RuntimeMeters implements RuntimeObserver {

    private final ByImage<Timer[]> claims;
    private final ByImage<Timer[]> specializations;
    private final Counter[] renewals;
    private final ByImage<Counter[]> releases;

    @Autowired
    public RuntimeMeters(MeterRegistry registry, HearthProperties properties) {
        this(registry, properties.poolConfigs().stream().map(PoolConfig::image).toList());
    }

    /** @param images the configured pool images, whose meters are registered at once */
    RuntimeMeters(MeterRegistry registry, Collection<String> images) {
        this.claims = new ByImage<>(images, image -> ByImage.each(Claim.values(), outcome ->
                timer(registry, HearthMetrics.LEASE_CLAIM, "Taking the lease on an acquired pod", image,
                        ByImage.tag(outcome)), Timer[]::new));
        this.specializations = new ByImage<>(images, image -> ByImage.each(Specialize.values(), outcome ->
                timer(registry, HearthMetrics.RUNTIME_SPECIALIZE, "Loading a function into its pod", image,
                        ByImage.tag(outcome)), Timer[]::new));
        this.renewals = ByImage.each(Renewal.values(), outcome -> Counter.builder(HearthMetrics.LEASE_RENEWALS)
                .description("Leases at each renewal, by what became of them")
                .tag(TAG_OUTCOME, ByImage.tag(outcome))
                .register(registry), Counter[]::new);
        this.releases = new ByImage<>(images, image -> ByImage.each(Release.values(), reason ->
                Counter.builder(HearthMetrics.RUNTIMES_RELEASED)
                        .description("Runtimes this replica held that ended, by why")
                        .tags(TAG_IMAGE, image, HearthMetrics.TAG_REASON, ByImage.tag(reason))
                        .register(registry), Counter[]::new));
    }

    private static Timer timer(MeterRegistry registry, String name, String description, String image, String outcome) {
        return Timer.builder(name)
                .description(description)
                .tags(TAG_IMAGE, image, TAG_OUTCOME, outcome)
                .register(registry);
    }

    @Override
    public void leaseClaimed(String image, Claim outcome, long nanos) {
        claims.get(image)[outcome.ordinal()].record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void specialized(String image, Specialize outcome, long nanos) {
        specializations.get(image)[outcome.ordinal()].record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void leasesRenewed(Renewal outcome, int count) {
        renewals[outcome.ordinal()].increment(count);
    }

    @Override
    public void released(String image, Release reason) {
        releases.get(image)[reason.ordinal()].increment();
    }
}
