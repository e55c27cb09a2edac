package dev.hearth.gateway.api.error;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.gateway.storage.ObjectNotFoundException;
import dev.hearth.gateway.storage.PathOutsideStorageException;
import dev.hearth.gateway.storage.StorageUnavailableException;
import dev.hearth.pool.AcquireTimeoutException;
import dev.hearth.pool.PoolExhaustedException;
import dev.hearth.pool.UnknownImageException;
import dev.hearth.pool.runtime.RuntimeConflictException;
import dev.hearth.pool.runtime.RuntimeNotFoundException;
import dev.hearth.pool.runtime.RuntimeStartException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebInputException;
import reactor.core.Exceptions;

class ExecutorErrorTest {

    @Test
    void runtimeConflictKeepsUpstreamTrailingSpace() {
        assertThat(ErrorType.RUNTIME_CONFLICT.defaultMessage()).as("runtime_conflict message").isEqualTo("Runtime already exists ");
        assertThat(ErrorType.RUNTIME_CONFLICT.code()).as("runtime_conflict code").isEqualTo(409);
        assertThat(ErrorType.LOGS_TIMEOUT.code()).as("logs_timeout code").isEqualTo(504);
        assertThat(ErrorType.POOL_EXHAUSTED.type()).as("pool_exhausted wire type").isEqualTo("pool_exhausted");
        assertThat(ErrorType.STORE_UNAVAILABLE.code()).as("store_unavailable code").isEqualTo(503);
    }

    @Test
    void executorExceptionIsShownAsIs() {
        ExecutorError error = ExecutorError.from(new ExecutorException(ErrorType.RUNTIME_NOT_FOUND));

        assertThat(error.type()).as("type").isEqualTo(ErrorType.RUNTIME_NOT_FOUND);
        assertThat(error.code()).as("code").isEqualTo(404);
        assertThat(error.message()).as("default message").isEqualTo("Runtime not found");
        assertThat(error.unexpected()).as("unexpected").isFalse();
    }

    @Test
    void badRequestIsGeneralUnknownWith400() {
        ExecutorError error = ExecutorError.from(ExecutorException.badRequest("Invalid `x` param: nope"));

        assertThat(error.type()).as("type").isEqualTo(ErrorType.GENERAL_UNKNOWN);
        assertThat(error.code()).as("code").isEqualTo(400);
        assertThat(error.message()).as("message").isEqualTo("Invalid `x` param: nope");
    }

    @Test
    void generalRejectsNonErrorStatus() {
        assertThatThrownBy(() -> ExecutorException.general(200, "ok"))
                .as("non-error status")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("but was 200");
    }

    @Test
    void poolExceptionsMapToTheirTypes() {
        ExecutorError exhausted = ExecutorError.from(new PoolExhaustedException("node", 8));
        ExecutorError timeout = ExecutorError.from(new AcquireTimeoutException("node", Duration.ofSeconds(2)));
        ExecutorError unknown = ExecutorError.from(new UnknownImageException("php", Set.of("node")));

        assertThat(exhausted).as("exhausted").extracting(ExecutorError::type, ExecutorError::code)
                .containsExactly(ErrorType.POOL_EXHAUSTED, 503);
        assertThat(exhausted.message()).as("exhausted message").contains("is exhausted");
        assertThat(timeout).as("acquire timeout").extracting(ExecutorError::type, ExecutorError::code)
                .containsExactly(ErrorType.RUNTIME_TIMEOUT, 400);
        assertThat(unknown).as("unknown image").extracting(ExecutorError::type, ExecutorError::code)
                .containsExactly(ErrorType.RUNTIME_FAILED, 400);
        assertThat(unknown.message()).as("unknown image message").contains("php");
    }

    @Test
    void runtimeExceptionsMapToTheirTypes() {
        ExecutorError missing = ExecutorError.from(new RuntimeNotFoundException("Runtime not found"));
        ExecutorError pending = ExecutorError.from(new RuntimeConflictException("r1", true));
        ExecutorError start = ExecutorError.from(new RuntimeStartException("bad archive", null));

        assertThat(missing).as("not found").isEqualTo(new ExecutorError(ErrorType.RUNTIME_NOT_FOUND, 404, "Runtime not found", false));
        assertThat(pending).as("conflict").extracting(ExecutorError::type, ExecutorError::code)
                .containsExactly(ErrorType.RUNTIME_CONFLICT, 409);
        assertThat(pending.message()).as("pending message").startsWith("A runtime with the same ID is already being created.");
        assertThat(start).as("start failed").isEqualTo(new ExecutorError(ErrorType.RUNTIME_FAILED, 400, "bad archive", false));
    }

    @Test
    void storageExceptionsMapToUpstreamsAnswersOrStorageUnavailable() {
        String device = "local directory /data";
        ExecutorError missing = ExecutorError.from(new ObjectNotFoundException(device, "/storage/f/code.tar.gz"));
        ExecutorError outside = ExecutorError.from(new PathOutsideStorageException(device, "../x", "'..' segments"));
        ExecutorError down = ExecutorError.from(new StorageUnavailableException(device, "/storage/x", "to read",
                new java.io.IOException("Connection refused")));

        // Upstream: \Exception('Failed to copy source code to temporary directory') → 500 general_unknown.
        assertThat(missing).as("missing object").isEqualTo(new ExecutorError(ErrorType.GENERAL_UNKNOWN, 500,
                "'/storage/f/code.tar.gz' was not found on local directory /data.", false));
        assertThat(outside).as("path outside").extracting(ExecutorError::type, ExecutorError::code)
                .containsExactly(ErrorType.EXECUTION_BAD_REQUEST, 400);
        assertThat(down).as("device down").extracting(ExecutorError::type, ExecutorError::code, ExecutorError::unexpected)
                .containsExactly(ErrorType.STORAGE_UNAVAILABLE, 503, false);
        assertThat(down.message()).as("device down message").contains(device).contains("Connection refused");
    }

    @Test
    void routeNotFoundIsDevelopmentModeNotFound() {
        ExecutorError error = ExecutorError.from(new ResponseStatusException(HttpStatus.NOT_FOUND));

        assertThat(error).as("404").isEqualTo(new ExecutorError(ErrorType.GENERAL_UNKNOWN, 404, "Not Found", false));
    }

    @Test
    void methodNotAllowedIs405() {
        ExecutorError error = ExecutorError.from(new MethodNotAllowedException(HttpMethod.PATCH, List.of(HttpMethod.GET)));

        assertThat(error).as("405").isEqualTo(new ExecutorError(ErrorType.GENERAL_UNKNOWN, 405, "Method Not Allowed", false));
    }

    @Test
    void inputAndDecodingErrorsAre400WithTheirReason() {
        ExecutorError input = ExecutorError.from(
                new ServerWebInputException("Failed to read HTTP message", null, new DecodingException("bad token")));
        ExecutorError decoding = ExecutorError.from(new DecodingException("JSON decoding error"));

        assertThat(input.code()).as("input code").isEqualTo(400);
        assertThat(input.message()).as("input message").isEqualTo("Failed to read HTTP message: bad token");
        assertThat(decoding.code()).as("decoding code").isEqualTo(400);
        assertThat(decoding.message()).as("decoding message").contains("JSON decoding error");
    }

    @Test
    void oversizedBodyIs413() {
        ExecutorError error = ExecutorError.from(new DataBufferLimitException("Exceeded limit"));

        assertThat(error.code()).as("code").isEqualTo(413);
        assertThat(error.type()).as("type").isEqualTo(ErrorType.GENERAL_UNKNOWN);
    }

    @Test
    void anythingElseIsMaskedAs500() {
        ExecutorError error = ExecutorError.from(new IllegalStateException("secret detail"));

        assertThat(error).as("masked").isEqualTo(ExecutorError.unknown());
        assertThat(error.message()).as("message").isEqualTo("Internal server error.");
        assertThat(error.unexpected()).as("unexpected").isTrue();
    }

    @Test
    void reactorWrappedExceptionsAreUnwrapped() {
        ExecutorError error = ExecutorError.from(Exceptions.propagate(new java.io.IOException("x")));
        ExecutorError wrapped = ExecutorError.from(Exceptions.bubble(new ExecutorException(ErrorType.RUNTIME_TIMEOUT)));

        assertThat(error.code()).as("checked cause").isEqualTo(500);
        assertThat(wrapped.type()).as("bubbled executor exception").isEqualTo(ErrorType.RUNTIME_TIMEOUT);
    }
}
