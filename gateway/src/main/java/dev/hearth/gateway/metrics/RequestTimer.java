package dev.hearth.gateway.metrics;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/**
 * Spring's {@code http.server.requests} timer for requests Hearth serves below WebFlux (the execution route), with
 * the tags WebFlux's observation gives (its {@code DefaultServerRequestObservationConvention} and Micrometer's
 * {@code DefaultMeterObservationHandler}), so the chart's dashboard and alerts read one series whoever served:
 *
 * <ul>
 *   <li>{@code method}: the request's method;</li>
 *   <li>{@code uri}: the route's pattern, or {@code UNKNOWN} when the request was refused before routing (WebFlux's
 *       key check ran before its router);</li>
 *   <li>{@code status}, {@code outcome}: the answered status and its class ({@code SUCCESS}, {@code CLIENT_ERROR},
 *       ...); both {@code UNKNOWN} when the client went away first;</li>
 *   <li>{@code exception}, {@code error}: the simple class name of the failure that was answered, else
 *       {@code none}.</li>
 * </ul>
 *
 * <p>No {@code Observation} per request: one timer lookup in a map of the few tag sets seen. The histogram and
 * percentiles configured for {@code http.server.requests} apply, as they go by name. Thread-safe.
 */
@Component
public class RequestTimer {

    /** Spring's name, kept so that existing series continue. */
    public static final String NAME = "http.server.requests";
    /** The {@code uri} of a request refused before routing. */
    public static final String UNROUTED = "UNKNOWN";
    /** The status of a request whose client went away before its answer ended. */
    public static final int ABORTED = -1;

    private static final String UNKNOWN = "UNKNOWN";
    private static final String NONE = "none";

    private final MeterRegistry registry;
    private final ConcurrentMap<Key, Timer> timers = new ConcurrentHashMap<>();

    public RequestTimer(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * Records one request.
     *
     * @param status  the answered status, or {@link #ABORTED}
     * @param failure what was answered, or null
     */
    public void record(String method, String uri, int status, Throwable failure, long nanos) {
        String exception = failure == null ? NONE : exceptionTag(failure);
        String error = failure == null ? NONE : failure.getClass().getSimpleName();
        timers.computeIfAbsent(new Key(method, uri, status, exception, error), this::timer)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    private Timer timer(Key key) {
        boolean aborted = key.status == ABORTED;
        return Timer.builder(NAME)
                .tags(Tags.of("method", key.method, "uri", key.uri,
                        "status", aborted ? UNKNOWN : Integer.toString(key.status),
                        "outcome", aborted ? UNKNOWN : outcome(key.status),
                        "exception", key.exception, "error", key.error))
                .register(registry);
    }

    /** Spring's {@code HttpOutcome.forStatus}. */
    static String outcome(int status) {
        return switch (status / 100) {
            case 1 -> "INFORMATIONAL";
            case 2 -> "SUCCESS";
            case 3 -> "REDIRECTION";
            case 4 -> "CLIENT_ERROR";
            case 5 -> "SERVER_ERROR";
            default -> UNKNOWN;
        };
    }

    /** Spring names an anonymous class in full for {@code exception}; Micrometer leaves {@code error} empty. */
    private static String exceptionTag(Throwable failure) {
        String name = failure.getClass().getSimpleName();
        return name.isEmpty() ? failure.getClass().getName() : name;
    }

    private record Key(String method, String uri, int status, String exception, String error) {
    }
}
