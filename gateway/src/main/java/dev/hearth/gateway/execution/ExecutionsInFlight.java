package dev.hearth.gateway.execution;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.springframework.boot.web.server.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.stereotype.Component;

/**
 * The executions being answered on plain Netty ({@link ExecutionConnection}), so that graceful shutdown drains them
 * as it drains WebFlux's requests, within the same budget.
 *
 * <p>Reactor Netty's graceful shutdown waits only for connections with a request of its own in flight, and closes the
 * others at once, an execution's included. So from the moment the context starts closing ({@link #draining()}), a
 * connection answering an execution puts off a close until that execution is answered; and this lifecycle stops in
 * the web server's own shutdown phase, completing once the last execution in flight has been answered. Spring waits
 * for both in that one phase ({@code spring.lifecycle.timeout-per-shutdown-phase}, the chart's
 * {@code server.shutdownTimeout}). Executions that arrive meanwhile on open connections are served and waited for
 * too: by then the replica is out of its Service's endpoints. Thread-safe.
 */
@Component
public class ExecutionsInFlight implements SmartLifecycle, ApplicationListener<ContextClosedEvent> {

    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicReference<Runnable> drained = new AtomicReference<>();
    private volatile boolean draining;
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

    /** True once the context has begun closing: connections answering an execution close after it, not before. */
    boolean draining() {
        return draining;
    }

    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
        draining = true;
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

    /** The web server's graceful shutdown phase: the drain shares its budget. */
    @Override
    public int getPhase() {
        return WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE;
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
