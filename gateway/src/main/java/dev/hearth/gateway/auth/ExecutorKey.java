package dev.hearth.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import dev.hearth.gateway.api.error.ErrorType;
import dev.hearth.gateway.api.error.ExecutorException;
import dev.hearth.gateway.api.error.ExecutorProperties;

/**
 * The executor's key check (§1.1 "Auth"), the one owner of it: {@link ExecutorAuthFilter} asks it for the API's
 * WebFlux routes, {@code ExecutionRoute} for executions served on plain Netty.
 *
 * <p>The key is the second space-separated token of {@code Authorization}; the scheme word is not checked, as
 * upstream. It is compared in constant time. An empty configured secret, or "0", rejects every call (fail closed).
 * The key is never logged. Immutable and thread-safe.
 */
public final class ExecutorKey {

    static final String MISSING_KEY = "Missing executor key";

    private final ExecutorProperties properties;

    public ExecutorKey(ExecutorProperties properties) {
        this.properties = properties;
    }

    /**
     * Whether {@code authorization} (the header's value, or null) carries the executor's key. Constant-time in the
     * key's content; the length may leak, which reveals nothing useful.
     */
    public boolean admits(String authorization) {
        if (!properties.hasUsableSecret() || authorization == null) {
            return false;
        }
        String[] tokens = authorization.split(" ", -1);
        if (tokens.length < 2) {
            return false;
        }
        byte[] given = tokens[1].getBytes(StandardCharsets.UTF_8);
        byte[] expected = properties.secret().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, expected);
    }

    /** What a caller without the key is answered, raised so that the one error translator writes the 401. */
    public static ExecutorException rejection() {
        return new ExecutorException(ErrorType.GENERAL_UNAUTHORIZED, MISSING_KEY);
    }
}
