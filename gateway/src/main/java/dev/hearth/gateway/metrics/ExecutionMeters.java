package dev.hearth.gateway.metrics;

import static dev.hearth.gateway.metrics.HearthMetrics.TAG_IMAGE;

import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import dev.hearth.gateway.api.error.NoAnswerException;
import dev.hearth.gateway.config.HearthProperties;
import dev.hearth.pool.PoolConfig;
import dev.hearth.runner.protocol.ExecutionEnd;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import reactor.netty.channel.AbortedException;

/**
 * {@link HearthMetrics#EXECUTION} and {@link HearthMetrics#EXECUTION_OVERHEAD}. On the hot path: the meters of
 * every configured image are registered at start; an execution costs one map read, one small object, one
 * compare-and-set and two timer updates, and no lock.
 */
@Component
public class ExecutionMeters {

    /** How an execution ended, as tag {@code outcome}. */
    public enum Outcome {
        /** The function answered, below 500. */
        SUCCESS,
        /** The function answered 5xx (an {@code exec} function exiting non-zero answers 500). */
        FUNCTION_ERROR,
        /** The runner ended it at its timeout, or the gateway's guard gave up on the runner. */
        TIMEOUT,
        /** It broke off: the runner unreachable, the pod gone, the stream cut or ended without an end frame. */
        FAILED,
        /** The client went away before the execution ended. */
        CLIENT_GONE
    }

    private record Meters(Timer[] executions, Timer overhead) {
    }

    private final ByImage<Meters> byImage;

    @Autowired
    public ExecutionMeters(MeterRegistry registry, HearthProperties properties) {
        this(registry, properties.poolConfigs().stream().map(PoolConfig::image).toList());
    }

    /** @param images the configured pool images, whose meters are registered at once */
    ExecutionMeters(MeterRegistry registry, Collection<String> images) {
        this.byImage = new ByImage<>(images, image -> new Meters(
                ByImage.each(Outcome.values(), outcome -> Timer.builder(HearthMetrics.EXECUTION)
                        .description("The execute phase of executions, by how they ended")
                        .tags(TAG_IMAGE, image, HearthMetrics.TAG_OUTCOME, ByImage.tag(outcome))
                        .register(registry), Timer[]::new),
                Timer.builder(HearthMetrics.EXECUTION_OVERHEAD)
                        .description("What the gateway adds to an execution, beyond the wait for its runtime and the runner")
                        .tag(TAG_IMAGE, image)
                        .publishPercentileHistogram()
                        .serviceLevelObjectives(HearthMetrics.OVERHEAD_SLOS)
                        .minimumExpectedValue(HearthMetrics.OVERHEAD_MIN)
                        .maximumExpectedValue(HearthMetrics.OVERHEAD_MAX)
                        .register(registry)));
    }

    /**
     * Starts recording one execution. Times are {@link System#nanoTime()} values.
     *
     * @param paramsRead  when the request's parameters had been read (its body received in full)
     * @param runtimeWait how long this request waited for its runtime after that: until the creation it started
     *                    or joined (on any replica) was ready for it; 0 when the runtime was ready already
     * @param started     when its execute phase started
     */
    public Execution start(String image, long paramsRead, long runtimeWait, long started) {
        return new Execution(byImage.get(image), paramsRead, runtimeWait, started);
    }

    /**
     * One execution being recorded. It ends once: the first of {@link #end}, {@link #failed}, {@link #clientGone}
     * and {@link #streamEnded} counts, later ones are ignored (a client leaving after the end is not a failure).
     * The callers may run on different threads (the runner's connection, the client's); the one that ends it is
     * chosen by a compare-and-set, without a lock.
     */
    public static final class Execution {

        private static final AtomicIntegerFieldUpdater<Execution> ENDED =
                AtomicIntegerFieldUpdater.newUpdater(Execution.class, "ended");

        private final Meters meters;
        private final long paramsRead;
        private final long runtimeWait;
        private final long started;
        private volatile int status;
        private volatile int ended;

        private Execution(Meters meters, long paramsRead, long runtimeWait, long started) {
            this.meters = meters;
            this.paramsRead = paramsRead;
            this.runtimeWait = runtimeWait;
            this.started = started;
        }

        /** The function's response head arrived with {@code status}. */
        public void head(int status) {
            this.status = status;
        }

        /**
         * The runner's end frame arrived: the execution ended by the function's answer or its timeout. Records
         * the overhead: from the parameters read to now, less the wait for the runtime and the runner's duration.
         */
        public ExecutionEnd end(ExecutionEnd end) {
            long now = System.nanoTime();
            Outcome outcome = end.timedOut() ? Outcome.TIMEOUT
                    : status >= 500 ? Outcome.FUNCTION_ERROR : Outcome.SUCCESS;
            if (ended(outcome, now)) {
                long runner = (long) (end.durationMs() * 1e6);
                meters.overhead().record(Math.max(0, now - paramsRead - runtimeWait - runner), TimeUnit.NANOSECONDS);
            }
            return end;
        }

        public void failed(Throwable error) {
            ended(outcome(error), System.nanoTime());
        }

        private static Outcome outcome(Throwable error) {
            if (error instanceof AbortedException) {
                return Outcome.CLIENT_GONE;
            }
            return error instanceof NoAnswerException ? Outcome.TIMEOUT : Outcome.FAILED;
        }

        public void clientGone() {
            ended(Outcome.CLIENT_GONE, System.nanoTime());
        }

        /**
         * The runner's event stream completed. After its end frame this changes nothing; without one (an empty
         * stream, or one cut off cleanly) the execution broke off: {@link Outcome#FAILED}.
         */
        public void streamEnded() {
            ended(Outcome.FAILED, System.nanoTime());
        }

        /** True for the one call that ends it; records the execute phase. */
        private boolean ended(Outcome outcome, long now) {
            if (!ENDED.compareAndSet(this, 0, 1)) {
                return false;
            }
            meters.executions()[outcome.ordinal()].record(now - started, TimeUnit.NANOSECONDS);
            return true;
        }
    }
}
