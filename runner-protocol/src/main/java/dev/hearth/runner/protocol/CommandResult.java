package dev.hearth.runner.protocol;

/**
 * How a command ran: its output (stdout, then stderr, as upstream's {@code docker exec} concatenates them; each
 * kept up to {@link RunnerProtocol#MAX_COMMAND_OUTPUT_BYTES}), its exit code, and whether it was killed at its
 * timeout.
 *
 * @param output     stdout then stderr, decoded as UTF-8
 * @param exitCode   the shell's exit code; -1 when killed
 * @param timedOut   killed at the timeout
 * @param durationMs from start to the end of its output
 */
public record CommandResult(String output, int exitCode, boolean timedOut, double durationMs) {

    public boolean succeeded() {
        return exitCode == 0 && !timedOut;
    }
}
