package dev.hearth.runner.client;

import java.util.Objects;

/**
 * Where a runner listens and what a call to it must carry.
 *
 * @param host          pod address (a pod IP, or a loopback address for the local driver)
 * @param port          runner port
 * @param secret        the pod's secret, sent on every call but health
 * @param fencingToken  token of the lease the caller holds; 0 sends none
 */
public record RunnerTarget(String host, int port, String secret, long fencingToken) {

    public RunnerTarget {
        Objects.requireNonNull(host, "host");
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 1..65535, but was " + port);
        }
        Objects.requireNonNull(secret, "secret");
    }

    public RunnerTarget withFencingToken(long token) {
        return new RunnerTarget(host, port, secret, token);
    }

    public String baseUrl() {
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** Never prints the secret. */
    @Override
    public String toString() {
        return "RunnerTarget[" + host + ":" + port + ", token=" + fencingToken + "]";
    }
}
