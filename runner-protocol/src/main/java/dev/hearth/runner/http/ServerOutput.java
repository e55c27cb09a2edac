package dev.hearth.runner.http;

import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.hearth.runner.logs.CappedLog;

/**
 * Where a function server's stdout and stderr lines go besides the live log, whichever of its starts printed them:
 * to every execution in flight when they are printed, and into the last {@link #RECENT_LINES}, which a failed start
 * reports. Thread-safe.
 */
final class ServerOutput {

    static final int RECENT_LINES = 20;

    /** Where lines printed during one execution go. */
    record Attribution(CappedLog logs, CappedLog errors) {
    }

    private final Set<Attribution> inFlight = ConcurrentHashMap.newKeySet();
    private final ArrayDeque<String> recent = new ArrayDeque<>();

    void track(Attribution attribution) {
        inFlight.add(attribution);
    }

    void untrack(Attribution attribution) {
        inFlight.remove(attribution);
    }

    void stdout(String line) {
        remember(line);
        inFlight.forEach(attribution -> attribution.logs().append(line + "\n"));
    }

    void stderr(String line) {
        remember(line);
        inFlight.forEach(attribution -> attribution.errors().append(line + "\n"));
    }

    /** The last lines, as a failure message's tail; empty when there were none. */
    String recent() {
        synchronized (recent) {
            return recent.isEmpty() ? "" : "; last output:\n" + String.join("\n", recent);
        }
    }

    private void remember(String line) {
        synchronized (recent) {
            recent.addLast(line);
            if (recent.size() > RECENT_LINES) {
                recent.removeFirst();
            }
        }
    }
}
