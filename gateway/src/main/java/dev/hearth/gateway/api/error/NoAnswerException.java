package dev.hearth.gateway.api.error;

/**
 * The runtime gave no answer in time: the gateway's guard gave up on a runner that sent no response head. Upstream's
 * curl gives up on such a runtime too ({@code timeout + 5} s) and answers its generic {@code 500 general_unknown}
 * (curl error 28), so this is one: not {@code execution_timeout}, which upstream never answers for it.
 */
public class NoAnswerException extends ExecutorException {

    public NoAnswerException(long waitedSeconds) {
        super(ErrorType.GENERAL_UNKNOWN, "The runtime did not answer the execution within " + waitedSeconds
                + " s (its timeout and the gateway's margin).");
    }
}
