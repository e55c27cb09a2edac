package dev.hearth.pool;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.hearth.pool.accounting.LocalPoolAccounting;
import dev.hearth.pool.accounting.PoolAccounting;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The image pools of this gateway, by image. Immutable set of pools; each pool is thread-safe. */
public final class Pools implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Pools.class);

    private final Map<String, PodPool> byImage = new LinkedHashMap<>();
    private final PoolAccounting accounting;
    private final PodDriver driver;
    private volatile Disposable maintenance;

    public Pools(List<PoolConfig> configs, PodDriver driver) {
        this(configs, driver, new LocalPoolAccounting());
    }

    public Pools(List<PoolConfig> configs, PodDriver driver, PoolAccounting accounting) {
        this(configs, driver, accounting, config -> new ImagePool(config, driver, accounting, PoolObserver.NONE));
    }

    /** Pools made by {@code factory}, e.g. cluster pools whose warm pods a reconciler keeps. */
    public Pools(List<PoolConfig> configs, PodDriver driver, PoolAccounting accounting,
                 java.util.function.Function<PoolConfig, PodPool> factory) {
        this.accounting = accounting;
        this.driver = driver;
        for (PoolConfig config : configs) {
            if (byImage.put(config.image(), factory.apply(config)) != null) {
                throw new IllegalArgumentException("image '" + config.image() + "' is configured twice");
            }
        }
    }

    /** @throws UnknownImageException when no pool serves the image */
    public PodPool forImage(String image) {
        PodPool pool = byImage.get(image);
        if (pool == null) {
            throw new UnknownImageException(image, byImage.keySet());
        }
        return pool;
    }

    public Collection<PodPool> all() {
        return byImage.values();
    }

    /** Beats for this replica's counts, then fills the pools. */
    public void warmup() {
        accounting.heartbeat()
                .doFinally(signal -> byImage.values().forEach(PodPool::warmup))
                .subscribe(null, error -> log.warn("Pool accounting heartbeat failed: {}", error.toString()));
    }

    /**
     * Starts the periodic duty: a heartbeat that keeps this replica's counts alive, then each pool's
     * {@link PodPool#maintain()}. Idempotent; stopped by {@link #close()}.
     */
    public synchronized void startMaintenance(Duration every) {
        if (maintenance != null) {
            return;
        }
        maintenance = Flux.interval(every, every)
                .concatMap(tick -> accounting.heartbeat()
                        .thenMany(Flux.fromIterable(byImage.values()).concatMap(PodPool::maintain))
                        .onErrorResume(error -> {
                            log.warn("Pool maintenance failed; next tick retries: {}", error.toString());
                            return Mono.empty();
                        }))
                .subscribe(null, error -> log.error("Pool maintenance stopped", error));
    }

    /** Pods of the driver that ended on their own (crashed, evicted), as pod ids. */
    public Flux<String> driverTerminations() {
        return driver.terminations();
    }

    /** Routes a driver's pod termination to whichever pool held the pod warm. */
    public void podTerminated(String podId) {
        byImage.values().forEach(pool -> pool.podTerminated(podId));
    }

    @Override
    public void close() {
        Disposable running = maintenance;
        if (running != null) {
            running.dispose();
        }
        byImage.values().forEach(PodPool::close);
    }
}
