package dev.hearth.runner.client;

/** An execute response ended without its END frame: the runner, the pod or the connection died mid-way. */
public final class TruncatedExecutionException extends RuntimeException {

    public TruncatedExecutionException(String message) {
        super(message);
    }

    public TruncatedExecutionException(String message, Throwable cause) {
        super(message, cause);
    }
}
