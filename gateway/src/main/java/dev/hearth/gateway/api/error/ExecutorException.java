package dev.hearth.gateway.api.error;

import java.util.Objects;

/**
 * An error meant for the caller, shown as is: the equivalent of the executor's
 * {@code OpenRuntimes\Executor\Exception}. The error body's type comes from {@link #errorType()};
 * the message defaults to the type's own and the code (also the HTTP status) to the type's own.
 *
 * <p>The code can differ from the type's only for {@code general_unknown}: in development mode
 * the executor shows utopia's own errors (400 "Invalid `x` param: …", 404 "Not Found") with their
 * own code and type {@code general_unknown}, and Hearth follows development-mode statuses.
 */
public class ExecutorException extends RuntimeException {

    private final ErrorType errorType;
    private final int code;

    public ExecutorException(ErrorType errorType) {
        this(errorType, null, null);
    }

    public ExecutorException(ErrorType errorType, String message) {
        this(errorType, message, null);
    }

    public ExecutorException(ErrorType errorType, String message, Throwable cause) {
        this(errorType, Objects.requireNonNull(errorType, "errorType").code(), message, cause);
    }

    private ExecutorException(ErrorType errorType, int code, String message, Throwable cause) {
        super(message == null ? errorType.defaultMessage() : message, cause);
        this.errorType = errorType;
        this.code = code;
    }

    /**
     * A {@code general_unknown} error with its own status, as utopia raises for bad params (400)
     * and unknown routes (404).
     *
     * @throws IllegalArgumentException when {@code code} is not an HTTP error status (400..599)
     */
    public static ExecutorException general(int code, String message) {
        if (code < 400 || code > 599) {
            throw new IllegalArgumentException("code must be an HTTP error status (400..599), but was " + code);
        }
        return new ExecutorException(ErrorType.GENERAL_UNKNOWN, code, message, null);
    }

    /** A 400 {@code general_unknown}: utopia's wording for request validation failures. */
    public static ExecutorException badRequest(String message) {
        return general(400, message);
    }

    public ErrorType errorType() {
        return errorType;
    }

    /** The body's {@code code} and the HTTP status. */
    public int code() {
        return code;
    }
}
