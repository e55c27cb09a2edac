package dev.hearth.pool;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import reactor.core.publisher.Mono;

/**
 * The pools this replica made at call time, one per {@link PoolConfig} made per runtime (image, adapter, limits):
 * made on first use by the driver's {@link PodPoolFactory}, at most {@code maxPools} at once, and closed once idle —
 * unused for {@code idleAfter} with no pod handed out, being created or waited for. Several replicas making the same
 * pool each make their own: such a pool has size 0 and no shared state but its pods' labels.
 *
 * <p>Bounded because the image comes from the caller: 10,000 distinct images make at most {@code maxPools} pools; the
 * next is refused with {@link PoolExhaustedException} (503) until one is idle. Thread-safe: a pool is made, found
 * and closed inside the map's atomic per-key operations, so a pool handed out was used just now and is not idle.
 */
public final class DynamicPools implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DynamicPools.class);

    /** Told when a pool is made or closed (metrics); must be quick and must not call back. */
    public interface Listener {
        Listener NONE = new Listener() {
        };

        default void opened(PodPool pool) {
        }

        default void closed(PodPool pool) {
        }
    }

    /**
     * @param maxPools  most pools at once
     * @param idleAfter a pool unused this long, with nothing in flight, is closed
     */
    public record Settings(int maxPools, Duration idleAfter) {
        public Settings {
            if (maxPools < 1) {
                throw new IllegalArgumentException("maxPools must be >= 1, but was " + maxPools);
            }
            if (idleAfter == null || idleAfter.isNegative() || idleAfter.isZero()) {
                throw new IllegalArgumentException("idleAfter must be positive, but was " + idleAfter);
            }
        }
    }

    private final PodPoolFactory factory;
    private final Settings settings;
    private final Clock clock;
    private final ConcurrentMap<PoolConfig, Made> pools = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();
    private final Periodic idleSweep;
    private volatile Listener listener = Listener.NONE;

    private static final class Made {
        final PodPool pool;
        volatile Instant used;

        Made(PodPool pool, Instant used) {
            this.pool = pool;
            this.used = used;
        }
    }

    /** Starts the idle sweep (every half {@code idleAfter}, at least every minute). */
    public DynamicPools(PodPoolFactory factory, Settings settings, Clock clock) {
        this.factory = Objects.requireNonNull(factory, "factory");
        this.settings = settings;
        this.clock = clock;
        Duration every = settings.idleAfter().dividedBy(2);
        every = every.compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofMinutes(1) : every;
        this.idleSweep = Periodic.start("Closing idle pools", every.isZero() ? Duration.ofMillis(1) : every,
                () -> Mono.fromRunnable(this::closeIdle));
    }

    /** Sets who hears of pools made and closed; the pools already made are reported to it at once. */
    public void listen(Listener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        pools.values().forEach(made -> listener.opened(made.pool));
    }

    /**
     * The pool of {@code config}, made now if there is none.
     *
     * @throws PoolExhaustedException when {@code maxPools} pools exist and none of them is idle
     */
    public PodPool get(PoolConfig config) {
        Instant now = clock.instant();
        Made found = pools.computeIfPresent(config, (key, made) -> {
            made.used = now;
            return made;
        });
        if (found != null) {
            return found.pool;
        }
        if (!reserve() && (closeIdle() == 0 || !reserve())) {
            throw new PoolExhaustedException("No pool can be made for image '" + config.image() + "' now: "
                    + settings.maxPools() + " pools made for runtimes are in use (hearth.dynamic-pools.max-pools)."
                    + " Retry later.");
        }
        boolean[] made = new boolean[1];
        Made result;
        try {
            result = pools.computeIfAbsent(config, key -> {
                made[0] = true;
                return new Made(factory.apply(key), now);
            });
        } catch (RuntimeException e) {
            count.decrementAndGet();
            throw e;
        }
        result.used = now;
        if (made[0]) {
            log.info("Made pool {}", config.name());
            listener.opened(result.pool);
        } else {
            count.decrementAndGet();
        }
        return result.pool;
    }

    /** The pools made and not closed. */
    public Collection<PodPool> all() {
        return List.copyOf(pools.values().stream().map(made -> made.pool).toList());
    }

    /** Closes the idle pools now; answers how many. Run by the idle sweep too. */
    public int closeIdle() {
        Instant cutoff = clock.instant().minus(settings.idleAfter());
        int closed = 0;
        for (PoolConfig key : List.copyOf(pools.keySet())) {
            Made[] removed = new Made[1];
            pools.computeIfPresent(key, (k, made) -> {
                if (made.used.isAfter(cutoff) || busy(made.pool)) {
                    return made;
                }
                removed[0] = made;
                return null;
            });
            if (removed[0] != null) {
                closed++;
                count.decrementAndGet();
                end(removed[0].pool);
                log.info("Closed pool {}: idle for {}", key.name(), settings.idleAfter());
            }
        }
        return closed;
    }

    /** Stops the sweep and closes every pool. */
    @Override
    public void close() {
        idleSweep.close();
        for (PoolConfig key : List.copyOf(pools.keySet())) {
            Made made = pools.remove(key);
            if (made != null) {
                count.decrementAndGet();
                end(made.pool);
            }
        }
    }

    /** Takes room for one more pool, if there is. */
    private boolean reserve() {
        if (count.incrementAndGet() > settings.maxPools()) {
            count.decrementAndGet();
            return false;
        }
        return true;
    }

    private static boolean busy(PodPool pool) {
        PoolMetrics metrics = pool.metrics();
        return metrics.claimed() > 0 || metrics.creating() > 0 || metrics.pending() > 0;
    }

    private void end(PodPool pool) {
        listener.closed(pool);
        if (pool instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                log.warn("Closing pool {} failed: {}", pool.config().name(), e.toString());
            }
        }
    }
}
