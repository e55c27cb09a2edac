package dev.hearth.runner.function;

/** The function could not be started; answered {@code 502 start_failed}. The message carries its last output. */
public final class FunctionStartException extends RuntimeException {

    public FunctionStartException(String message) {
        super(message);
    }
}
