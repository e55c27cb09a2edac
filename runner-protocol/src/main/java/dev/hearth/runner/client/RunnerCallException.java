package dev.hearth.runner.client;

/** A runner answered a call with a non-2xx status and a {@code RunnerError} body. */
public final class RunnerCallException extends RuntimeException {

    private final int status;
    private final String code;
    private final String detail;

    public RunnerCallException(int status, String code, String message) {
        super("runner answered " + status + " " + code + ": " + message);
        this.status = status;
        this.code = code;
        this.detail = message;
    }

    public int status() {
        return status;
    }

    /** The runner's error code, e.g. {@code bad_archive} or {@code start_failed}. */
    public String code() {
        return code;
    }

    /** The runner's message without the status prefix. */
    public String detail() {
        return detail;
    }
}
