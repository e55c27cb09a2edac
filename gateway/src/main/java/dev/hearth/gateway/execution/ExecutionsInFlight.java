package dev.hearth.gateway.execution;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.springframework.boot.web.server.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The executions being answered on plain Netty ({@link ExecutionConnection}), so that graceful shutdown drains them
 * as it drains WebFlux's requests. Reactor Netty's graceful shutdown waits only for connections with a request of its
 * own in flight and closes the others at once, an execution's included; so this lifecycle stops just before the web
 * server's graceful shutdown, and its stop completes when the last execution in flight has been answered (Spring
 * gives each shutdown phase {@code spring.lifecycle.timeout-per-shutdown-phase}). Executions that arrive meanwhile
 * are still served and waited for: by then the replica is out of its Service's endpoints. Thread-safe.
 */
@Component
public class ExecutionsInFlight implements SmartLifecycle {

    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicReference<Runnable> drained = new AtomicReference<>();
    private volatile boolean running;

    void opened() {
        inFlight.incrementAndGet();
    }

    void closed() {
        if (inFlight.decrementAndGet() == 0) {
            runDrained();
        }
    }

    /** Executions being answered now. */
    public int count() {
        return inFlight.get();
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
    }

    @Override
    public void stop(Runnable callback) {
        running = false;
        drained.set(callback);
        if (inFlight.get() == 0) {
            runDrained();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Just above the web server's graceful shutdown: stops (drains) before it closes the connections. */
    @Override
    public int getPhase() {
        return WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE + 1;
    }

    /** No: as the web server's own graceful shutdown, a drain is for the end, not for a paused test context. */
    @Override
    public boolean isPauseable() {
        return false;
    }

    private void runDrained() {
        Runnable callback = drained.getAndSet(null);
        if (callback != null) {
            callback.run();
        }
    }
}
