package dev.hearth.gateway.config;

import org.springframework.context.SmartLifecycle;

/**
 * One background component of the gateway as a {@link SmartLifecycle}: started after the context is ready,
 * stopped in phase order at shutdown, each on its own. Phases (higher stops first, starts last):
 * <ul>
 *   <li>{@link #LEADERSHIP}: the reconciler Lease is let go first, so a successor takes over while this replica
 *       still drains requests;</li>
 *   <li>then the web server stops taking and drains requests (Boot's graceful shutdown);</li>
 *   <li>{@link #RUNTIMES}: lease renewal and the other runtime duties stop, and held runtimes end (leases
 *       released, pods destroyed);</li>
 *   <li>{@link #POOLS}: pools stop filling and destroy their warm pods; reconciliation stops.</li>
 * </ul>
 * The driver closes last, when its bean is destroyed.
 */
final class Background implements SmartLifecycle {

    static final int LEADERSHIP = Integer.MAX_VALUE;
    /** Below Boot's web server phases ({@code DEFAULT_PHASE - 1024} and {@code - 2048}): stops after them. */
    static final int RUNTIMES = SmartLifecycle.DEFAULT_PHASE - 4096;
    static final int POOLS = SmartLifecycle.DEFAULT_PHASE - 8192;

    private final int phase;
    private final Runnable start;
    private final Runnable stop;
    private volatile boolean running;

    Background(int phase, Runnable start, Runnable stop) {
        this.phase = phase;
        this.start = start;
        this.stop = stop;
    }

    @Override
    public synchronized void start() {
        if (!running) {
            start.run();
            running = true;
        }
    }

    @Override
    public synchronized void stop() {
        if (running) {
            running = false;
            stop.run();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return phase;
    }

    /**
     * No: stopping ends what the component ran (held runtimes, warm pods, closed pools) for good, so a paused
     * context could not resume it. Spring's test context cache pauses a context whenever a test class switches to
     * another one; with this, the inactive context keeps running and is usable again when a later class needs it.
     */
    @Override
    public boolean isPauseable() {
        return false;
    }
}
