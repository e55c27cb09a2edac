package dev.hearth.pool.runtime;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * This executor's host name, as Open Runtimes names it to runtimes ({@code OPEN_RUNTIMES_HOSTNAME}; v2's
 * {@code INERNAL_EXECUTOR_HOSTNAME}) and in runtime names: {@code HOSTNAME} (a container's or pod's name), else the
 * local host's name, else {@code hearth}. Resolved once, on first use (the lookup may ask a resolver).
 */
public final class ExecutorHostname {

    private ExecutorHostname() {
    }

    public static String get() {
        return Holder.VALUE;
    }

    private static final class Holder {
        static final String VALUE = resolve();
    }

    private static String resolve() {
        String fromEnv = System.getenv("HOSTNAME");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "hearth";
        }
    }
}
