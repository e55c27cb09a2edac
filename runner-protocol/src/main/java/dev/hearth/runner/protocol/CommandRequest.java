package dev.hearth.runner.protocol;

/**
 * {@code POST /v1/command}: a command to run once in the specialized function's workspace (Open Runtimes'
 * {@code /commands}).
 *
 * @param command   run with {@code sh -c} in the function's code directory, with its environment
 * @param timeoutMs after this long the command's whole process tree is killed
 */
public record CommandRequest(String command, long timeoutMs) {

    public CommandRequest {
        if (command == null || command.isBlank()) {
            throw new IllegalArgumentException("command must not be blank");
        }
        if (timeoutMs <= 0) {
            throw new IllegalArgumentException("timeoutMs must be positive, but was " + timeoutMs);
        }
    }
}
