package dev.hearth.gateway.api.error;

/**
 * The Open Runtimes executor's error types (EX {@code app/config/errors.php}), plus Hearth's own.
 *
 * <p>{@link #type()} is the wire value of the error body's {@code type}; {@link #code()} is both the
 * body's {@code code} and the HTTP status. Default messages are copied byte for byte, including
 * {@code runtime_conflict}'s trailing space, because clients compare them.
 */
public enum ErrorType {

    GENERAL_UNKNOWN("general_unknown", 500, "Internal server error."),
    /** Defined upstream but unused: the router answers unknown routes with general_unknown "Not Found". */
    GENERAL_ROUTE_NOT_FOUND("general_route_not_found", 404, "The requested route was not found."),
    GENERAL_UNAUTHORIZED("general_unauthorized", 401, "You are not authorized to access this resource."),
    BUILD_FAILED("build_failed", 400, "Build failed."),
    RUNTIME_FAILED("runtime_failed", 400, "Runtime failed."),
    RUNTIME_TIMEOUT("runtime_timeout", 400, "Timed out waiting for runtime."),
    RUNTIME_NOT_FOUND("runtime_not_found", 404, "Runtime not found"),
    RUNTIME_CONFLICT("runtime_conflict", 409, "Runtime already exists "),
    EXECUTION_BAD_REQUEST("execution_bad_request", 400, "Execution request was invalid."),
    EXECUTION_BAD_JSON("execution_bad_json", 400,
            "Execution resulted in binary response, but JSON response does not allow binaries. "
                    + "Use \"Accept: multipart/form-data\" header to support binaries."),
    EXECUTION_TIMEOUT("execution_timeout", 400, "Timed out waiting for execution."),
    LOGS_TIMEOUT("logs_timeout", 504, "Timed out waiting for logs."),
    COMMAND_TIMEOUT("command_timeout", 500, "Operation timed out."),
    COMMAND_FAILED("command_failed", 500, "Failed to execute command."),

    /** Hearth: an image pool's pending queue is full; the caller should retry, hence 503. */
    POOL_EXHAUSTED("pool_exhausted", 503, "No warm runtime is available. Retry later."),
    /** Hearth: no warm pod is left and the pool cannot create pods now (cluster API failing). */
    POOL_DEGRADED("pool_degraded", 503, "The runtime pool is degraded. Retry later."),
    /** Hearth: the shared state store (leases, runtime table) cannot be reached. */
    STORE_UNAVAILABLE("store_unavailable", 503, "The executor's state store is unavailable. Retry later."),
    /** Hearth: the storage device holding sources and artifacts did not answer, or failed; the message names it. */
    STORAGE_UNAVAILABLE("storage_unavailable", 503, "The storage device is unavailable. Retry later.");

    private final String type;
    private final int code;
    private final String defaultMessage;

    ErrorType(String type, int code, String defaultMessage) {
        this.type = type;
        this.code = code;
        this.defaultMessage = defaultMessage;
    }

    /** The wire value, e.g. {@code runtime_not_found}. */
    public String type() {
        return type;
    }

    /** The HTTP status and the body's {@code code}. */
    public int code() {
        return code;
    }

    public String defaultMessage() {
        return defaultMessage;
    }
}
