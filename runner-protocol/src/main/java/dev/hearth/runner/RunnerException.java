package dev.hearth.runner;

/**
 * A call the runner refuses or fails, carrying the HTTP status and the protocol error code of
 * {@code PROTOCOL.md}. Mapped to a response in one place, {@link ErrorResponses}.
 */
public final class RunnerException extends RuntimeException {

    private final int status;
    private final String code;

    public RunnerException(int status, String code, String message) {
        this(status, code, message, null);
    }

    public RunnerException(int status, String code, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public static RunnerException badRequest(String message) {
        return new RunnerException(400, "bad_request", message);
    }

    public static RunnerException badArchive(String message, Throwable cause) {
        return new RunnerException(400, "bad_archive", message, cause);
    }

    public static RunnerException startFailed(String message) {
        return new RunnerException(502, "start_failed", message);
    }
}
