package dev.hearth.runner.client;

import java.util.Objects;

/**
 * Where a runner listens and what a call to it must carry.
 *
 * <p>The address is one string so that it travels unchanged wherever a runtime's record goes (the registry, Redis):
 * a host name or IP for TCP, or {@value #SOCKET_PREFIX}{@code /absolute/path} for a runner that listens on a Unix
 * domain socket (a Docker pod in a network namespace of its own, reached through a bind-mounted directory), whose
 * {@code port} is then not used for connecting.
 *
 * @param host          pod address (a pod IP, a loopback address, or {@code unix:/path/runner.sock})
 * @param port          runner port
 * @param secret        the pod's secret, sent on every call but health
 * @param fencingToken  token of the lease the caller holds; 0 sends none
 */
public record RunnerTarget(String host, int port, String secret, long fencingToken) {

    /** What starts the address of a runner on a Unix domain socket. */
    public static final String SOCKET_PREFIX = "unix:";

    public RunnerTarget {
        Objects.requireNonNull(host, "host");
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 1..65535, but was " + port);
        }
        Objects.requireNonNull(secret, "secret");
        if (isSocket(host) && !socketPath(host).startsWith("/")) {
            throw new IllegalArgumentException("a socket address must be unix:/absolute/path, but was '" + host + "'");
        }
    }

    /** The address of a runner listening on the Unix domain socket at {@code path}. */
    public static String socketAddress(String path) {
        return SOCKET_PREFIX + path;
    }

    public RunnerTarget withFencingToken(long token) {
        return new RunnerTarget(host, port, secret, token);
    }

    /** The socket file the runner listens on, or {@code null} when it listens on TCP. */
    public String socketPath() {
        return isSocket(host) ? socketPath(host) : null;
    }

    /** The URL calls start with; empty for a socket, whose calls are relative to the connection. */
    public String baseUrl() {
        if (isSocket(host)) {
            return "";
        }
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** Never prints the secret. */
    @Override
    public String toString() {
        return "RunnerTarget[" + (isSocket(host) ? host : host + ":" + port) + ", token=" + fencingToken + "]";
    }

    static boolean isSocket(String host) {
        return host.startsWith(SOCKET_PREFIX);
    }

    static String socketPath(String host) {
        return host.substring(SOCKET_PREFIX.length());
    }
}
