package dev.hearth.runner.protocol;

/**
 * How a build ended.
 *
 * @param exitCode   the command's exit code; -1 when the runner killed it
 * @param timedOut   whether it ran past its timeout
 * @param durationMs how long it ran
 * @param truncated  whether output beyond {@link RunnerProtocol#MAX_BUILD_LOG_BYTES} was left out of the log
 */
public record BuildEnd(int exitCode, boolean timedOut, double durationMs, boolean truncated) {

    public boolean succeeded() {
        return exitCode == 0 && !timedOut;
    }
}
