package dev.hearth.pool.kubernetes.harness;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The harness's fault knobs; mutable at any time from the test thread. API faults apply to calls made
 * through {@link KubernetesHarness#apiClient()} (the code under test), never to the harness's own kubelet
 * and Job controller, and never to watches. Pod faults apply to pods the kubelet starts from then on.
 */
public final class Faults {

    private volatile double apiFailureRate;
    private volatile Duration startDelay = Duration.ZERO;
    private volatile boolean neverReady;
    private volatile Duration crashAfter;
    private volatile boolean rejectPodCreations;
    private volatile java.util.function.UnaryOperator<io.kubernetes.client.openapi.models.V1Pod> podAdmission;
    private final AtomicInteger injected = new AtomicInteger();
    private final List<Hold> holds = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicLong calls = new java.util.concurrent.atomic.AtomicLong();

    /** Share (0..1) of API calls answered 500 or 429 instead of being served. */
    public Faults apiFailureRate(double rate) {
        if (rate < 0 || rate > 1) {
            throw new IllegalArgumentException("apiFailureRate must be between 0 and 1, but was " + rate);
        }
        this.apiFailureRate = rate;
        return this;
    }

    /** How long the kubelet takes to start each pod. */
    public Faults startDelay(Duration delay) {
        this.startDelay = delay;
        return this;
    }

    /** Pods that stay Pending with no IP and never start their runner. */
    public Faults neverReady(boolean value) {
        this.neverReady = value;
        return this;
    }

    /** Pods that crash (runner closed, phase Failed) this long after they became ready; null for never. */
    public Faults crashAfter(Duration delay) {
        this.crashAfter = delay;
        return this;
    }

    /** Pod creations refused with 403 "exceeded quota", as a ResourceQuota would: final, not worth a retry. */
    public Faults rejectPodCreations(boolean value) {
        this.rejectPodCreations = value;
        return this;
    }

    /**
     * A mutating admission policy: every pod created from now on (by the code under test or the Job controller) is
     * stored as {@code policy} returns it, as a cluster's admission webhook would change it; null for none.
     */
    public Faults podAdmission(java.util.function.UnaryOperator<io.kubernetes.client.openapi.models.V1Pod> policy) {
        this.podAdmission = policy;
        return this;
    }

    java.util.function.UnaryOperator<io.kubernetes.client.openapi.models.V1Pod> podAdmission() {
        return podAdmission;
    }

    boolean rejectPodCreations() {
        return rejectPodCreations;
    }

    /**
     * Holds the code under test's calls of {@code verb} on {@code resource} (as RBAC names them: {@code create},
     * {@code secrets}) until the returned hold is released. Watches are never held.
     */
    public Hold hold(String verb, String resource) {
        Hold hold = new Hold(verb, resource);
        holds.add(hold);
        return hold;
    }

    /** Completes once every hold matching the call is released; at once when none matches. */
    Mono<Void> holdOf(ApiAccess access) {
        return Flux.fromIterable(holds)
                .filter(hold -> hold.matches(access))
                .concatMap(Hold::await)
                .then();
    }

    /** Calls answered with an injected error so far. */
    public int injectedFailures() {
        return injected.get();
    }

    Duration startDelay() {
        return startDelay;
    }

    boolean neverReady() {
        return neverReady;
    }

    Duration crashAfter() {
        return crashAfter;
    }

    /**
     * The status to answer instead of serving the call, or 0 to serve it. Deterministic: of every run of
     * calls, exactly the configured share fails (call n fails when floor((n+1)·rate) > floor(n·rate)), so a
     * test never depends on luck; which of 500 and 429 is random.
     */
    int injectedStatus() {
        double rate = apiFailureRate;
        long n = calls.getAndIncrement();
        if (rate > 0 && Math.floor((n + 1) * rate) > Math.floor(n * rate)) {
            injected.incrementAndGet();
            return ThreadLocalRandom.current().nextBoolean() ? 500 : 429;
        }
        return 0;
    }
}
