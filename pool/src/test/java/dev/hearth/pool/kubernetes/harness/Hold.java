package dev.hearth.pool.kubernetes.harness;

import java.util.concurrent.atomic.AtomicInteger;

import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Holds the code under test's API calls of one kind (a verb on a resource, e.g. {@code create secrets}): each such
 * call reaches the API server only once the hold is released, so a test can act at the exact moment a call is in
 * flight — cancel a creation while its pod is being created, say. From {@link Faults#hold}; released once, for good.
 * Calls are answered before the client's read timeout (10 s) only if the test releases the hold within it.
 */
public final class Hold {

    private final String verb;
    private final String resource;
    private final AtomicInteger arrived = new AtomicInteger();
    private final Sinks.Empty<Void> released = Sinks.empty();

    Hold(String verb, String resource) {
        this.verb = verb;
        this.resource = resource;
    }

    /** How many calls this hold has stopped so far (held now or let through since). */
    public int arrived() {
        return arrived.get();
    }

    /** Lets every held call, and every later one, through. Idempotent. */
    public void release() {
        released.tryEmitEmpty();
    }

    boolean matches(ApiAccess access) {
        return access.verb().equals(verb) && access.resource().equals(resource);
    }

    /** Completes when the hold is released; counts the call. */
    Mono<Void> await() {
        return Mono.defer(() -> {
            arrived.incrementAndGet();
            return released.asMono();
        });
    }

    @Override
    public String toString() {
        return "hold of " + verb + " " + resource;
    }
}
