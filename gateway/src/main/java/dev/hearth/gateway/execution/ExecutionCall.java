package dev.hearth.gateway.execution;

import java.util.Objects;

import dev.hearth.gateway.api.params.ParamsSource;

/**
 * One execution request as {@link ExecutionHandler} reads it, taken from the server's request by the route.
 *
 * @param runtimeId      the path's {@code runtimeId}, decoded
 * @param params         where the execution's params are read from
 * @param accept         the {@code Accept} header, or null: JSON or multipart answer (§1.6)
 * @param responseFormat the {@code x-executor-response-format} header, or null
 */
public record ExecutionCall(String runtimeId, ParamsSource params, String accept, String responseFormat) {

    public ExecutionCall {
        Objects.requireNonNull(runtimeId, "runtimeId");
        Objects.requireNonNull(params, "params");
    }
}
