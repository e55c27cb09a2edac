package dev.hearth.runner.protocol;

/**
 * Last frame of an execute response, sent after the whole body.
 *
 * @param logs            the function's log output for this execution, at most
 *                        {@link RunnerProtocol#MAX_EXECUTION_LOG_BYTES} bytes plus a truncation note
 * @param errors          the function's error output, capped the same way
 * @param timedOut        the execution ran past its timeout and was ended by the runner
 * @param exitCode        for {@code exec}, the process exit code; -1 when killed or not applicable
 * @param durationMs      from the runner receiving the call to the function's last byte
 */
public record ExecutionEnd(String logs, String errors, boolean timedOut, int exitCode, double durationMs) {

    public ExecutionEnd {
        logs = logs == null ? "" : logs;
        errors = errors == null ? "" : errors;
    }
}
