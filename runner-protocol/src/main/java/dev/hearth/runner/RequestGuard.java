package dev.hearth.runner;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.atomic.AtomicLong;

import dev.hearth.runner.protocol.RunnerProtocol;
import reactor.netty.http.server.HttpServerRequest;

/**
 * The checks every call but health passes, in this order: protocol version ({@code 400 unsupported_protocol}),
 * secret ({@code 401 unauthorized}, compared in constant time), fencing token ({@code 409 stale_token}).
 * Thread-safe: the largest token seen is kept in an atomic.
 */
final class RequestGuard {

    private final byte[] secret;
    private final AtomicLong newestToken = new AtomicLong(Long.MIN_VALUE);

    RequestGuard(String secret) {
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
    }

    /** @throws RunnerException when the call must be refused */
    void check(HttpServerRequest request) {
        checkProtocol(request);
        checkSecret(request);
        checkToken(request);
    }

    static void checkProtocol(HttpServerRequest request) {
        String version = request.requestHeaders().get(RunnerProtocol.PROTOCOL_HEADER);
        if (version == null) {
            return;
        }
        try {
            if (RunnerProtocol.SUPPORTED_VERSIONS.contains(Integer.parseInt(version.trim()))) {
                return;
            }
        } catch (NumberFormatException e) {
            // falls through: not a version we speak
        }
        throw new RunnerException(400, "unsupported_protocol", "protocol version '" + version
                + "' is not supported; supported: " + ErrorResponses.supportedVersions());
    }

    private void checkSecret(HttpServerRequest request) {
        String given = request.requestHeaders().get(RunnerProtocol.SECRET_HEADER);
        if (given == null || !MessageDigest.isEqual(secret, given.getBytes(StandardCharsets.UTF_8))) {
            throw new RunnerException(401, "unauthorized", "missing or wrong " + RunnerProtocol.SECRET_HEADER);
        }
    }

    private void checkToken(HttpServerRequest request) {
        String header = request.requestHeaders().get(RunnerProtocol.TOKEN_HEADER);
        if (header == null) {
            return;
        }
        long token;
        try {
            token = Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            throw RunnerException.badRequest(RunnerProtocol.TOKEN_HEADER + " must be a decimal integer, but was '"
                    + header + "'");
        }
        long newest = newestToken.accumulateAndGet(token, Math::max);
        if (token < newest) {
            throw new RunnerException(409, "stale_token", "token " + token + " is older than " + newest);
        }
    }
}
