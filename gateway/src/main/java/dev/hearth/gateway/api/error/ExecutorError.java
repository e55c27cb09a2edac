package dev.hearth.gateway.api.error;

import dev.hearth.gateway.storage.ObjectNotFoundException;
import dev.hearth.gateway.storage.PathOutsideStorageException;
import dev.hearth.gateway.storage.StorageUnavailableException;
import dev.hearth.pool.AcquireTimeoutException;
import dev.hearth.pool.PoolDegradedException;
import dev.hearth.pool.PoolExhaustedException;
import dev.hearth.pool.StoreUnavailableException;
import dev.hearth.runner.client.TruncatedExecutionException;
import dev.hearth.pool.UnknownImageException;
import dev.hearth.pool.runtime.RuntimeConflictException;
import dev.hearth.pool.runtime.RuntimeNotFoundException;
import dev.hearth.pool.runtime.RuntimeStartException;
import java.util.Objects;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebInputException;
import reactor.core.Exceptions;
import tools.jackson.core.exc.StreamReadException;

/**
 * What the caller is told about a failure: the error body's type, code (also the HTTP status) and
 * message. {@link #from(Throwable)} is Hearth's single throwable-to-API mapping; everything that
 * answers a caller with an error goes through it.
 *
 * @param type       the error type; {@code GENERAL_UNKNOWN} for everything not raised as an
 *                   {@link ExecutorException} or a known domain exception
 * @param code       the HTTP status and the body's {@code code}
 * @param message    shown to the caller; never a stack trace, class name or secret
 * @param unexpected true when the failure is a bug or an unknown fault, to be logged with its trace
 */
public record ExecutorError(ErrorType type, int code, String message, boolean unexpected) {

    static final String NOT_FOUND = "Not Found";
    static final String METHOD_NOT_ALLOWED = "Method Not Allowed";

    public ExecutorError {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(message, "message");
    }

    /**
     * Maps any throwable to what the caller sees. Pure and thread-safe.
     *
     * <p>Development-mode statuses (§8.4): utopia's own errors keep their code with type
     * {@code general_unknown}; only unknown throwables become 500 "Internal server error.".
     */
    public static ExecutorError from(Throwable thrown) {
        Throwable t = Exceptions.unwrap(thrown);
        if (t instanceof ExecutorException e) {
            return new ExecutorError(e.errorType(), e.code(), e.getMessage(), false);
        }
        if (t instanceof PoolExhaustedException) {
            return known(ErrorType.POOL_EXHAUSTED, t.getMessage());
        }
        if (t instanceof PoolDegradedException) {
            return known(ErrorType.POOL_DEGRADED, t.getMessage());
        }
        if (t instanceof AcquireTimeoutException) {
            return known(ErrorType.RUNTIME_TIMEOUT, t.getMessage());
        }
        if (t instanceof UnknownImageException) {
            return known(ErrorType.RUNTIME_FAILED, t.getMessage());
        }
        if (t instanceof RuntimeNotFoundException) {
            return known(ErrorType.RUNTIME_NOT_FOUND, t.getMessage());
        }
        if (t instanceof RuntimeConflictException e) {
            // Upstream's plain conflict uses the type's message verbatim (trailing space included).
            return known(ErrorType.RUNTIME_CONFLICT, e.pending() ? e.getMessage() : null);
        }
        if (t instanceof RuntimeStartException) {
            // Bad archive, failed start command, lost pod: the caller's runtime could not start.
            return known(ErrorType.RUNTIME_FAILED, t.getMessage());
        }
        if (t instanceof ObjectNotFoundException) {
            // Upstream fails to copy a missing source with a plain \Exception: 500 general_unknown (EX Docker.php).
            return general(500, t.getMessage());
        }
        if (t instanceof PathOutsideStorageException) {
            return known(ErrorType.EXECUTION_BAD_REQUEST, t.getMessage());
        }
        if (t instanceof StorageUnavailableException) {
            return known(ErrorType.STORAGE_UNAVAILABLE, t.getMessage());
        }
        if (t instanceof StoreUnavailableException) {
            // Fail closed: nothing new is claimed or created while the shared state cannot be trusted.
            return known(ErrorType.STORE_UNAVAILABLE, t.getMessage());
        }
        if (t instanceof java.net.ConnectException || t instanceof TruncatedExecutionException
                || t instanceof reactor.netty.http.client.PrematureCloseException) {
            // The runtime's pod is gone or died mid-execution: a clear 500, as Open Runtimes answers curl errors.
            return new ExecutorError(ErrorType.GENERAL_UNKNOWN, 500,
                    "The runtime's pod could not be reached or failed mid-execution: " + t.getMessage(), false);
        }
        if (t instanceof DataBufferLimitException) {
            return general(HttpStatus.PAYLOAD_TOO_LARGE.value(), "Request body is too large: " + t.getMessage());
        }
        if (t instanceof ServerWebInputException e) {
            return general(400, inputMessage(e));
        }
        if (t instanceof DecodingException || t instanceof StreamReadException) {
            return general(400, "Invalid request body: " + t.getMessage());
        }
        if (t instanceof ResponseStatusException e) {
            return fromStatus(e);
        }
        return unknown();
    }

    /** The catch-all: a 500 whose cause is logged, never shown. */
    public static ExecutorError unknown() {
        return new ExecutorError(ErrorType.GENERAL_UNKNOWN, 500, ErrorType.GENERAL_UNKNOWN.defaultMessage(), true);
    }

    private static ExecutorError known(ErrorType type, String message) {
        return new ExecutorError(type, type.code(), message == null ? type.defaultMessage() : message, false);
    }

    private static ExecutorError general(int code, String message) {
        return new ExecutorError(ErrorType.GENERAL_UNKNOWN, code, message, false);
    }

    private static ExecutorError fromStatus(ResponseStatusException e) {
        int code = e.getStatusCode().value();
        if (code == 404) {
            return general(404, NOT_FOUND);
        }
        if (code == 405 || e instanceof MethodNotAllowedException) {
            return general(405, METHOD_NOT_ALLOWED);
        }
        if (code >= 500) {
            // A 5xx raised by the framework is a fault on our side: log it, show the generic text.
            return new ExecutorError(ErrorType.GENERAL_UNKNOWN, code, ErrorType.GENERAL_UNKNOWN.defaultMessage(), true);
        }
        HttpStatus status = HttpStatus.resolve(code);
        String reason = e.getReason() != null ? e.getReason() : status != null ? status.getReasonPhrase() : "Error";
        return general(code, reason);
    }

    private static String inputMessage(ServerWebInputException e) {
        String reason = e.getReason() != null ? e.getReason() : "Invalid request";
        Throwable cause = e.getCause();
        return cause != null && cause.getMessage() != null ? reason + ": " + cause.getMessage() : reason;
    }
}
