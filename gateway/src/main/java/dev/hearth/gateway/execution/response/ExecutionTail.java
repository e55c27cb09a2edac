package dev.hearth.gateway.execution.response;

/**
 * What is known about an execution only once its body has been sent.
 *
 * @param logs             the function's logs (already capped upstream)
 * @param errors           the function's error logs (already capped upstream)
 * @param durationSeconds  billable duration, from before the readiness wait to the end of the call
 * @param startTimeSeconds unix time at which {@code duration} started, in seconds
 */
public record ExecutionTail(String logs, String errors, double durationSeconds, double startTimeSeconds) {

    public ExecutionTail {
        logs = logs == null ? "" : logs;
        errors = errors == null ? "" : errors;
    }
}
