package dev.hearth.pool.kubernetes;

import java.time.Duration;
import java.util.concurrent.Callable;

import org.opentest4j.AssertionFailedError;

/** Polls a condition in tests (awaitility is not on this module's classpath). */
final class Eventually {

    private Eventually() {
    }

    static void await(String what, Duration timeout, Callable<Boolean> condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Throwable last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (Boolean.TRUE.equals(condition.call())) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionFailedError("interrupted waiting for " + what);
            }
        }
        throw new AssertionFailedError("not within " + timeout + ": " + what, last);
    }
}
