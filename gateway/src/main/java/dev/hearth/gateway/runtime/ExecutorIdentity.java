package dev.hearth.gateway.runtime;

import java.net.InetAddress;
import java.net.UnknownHostException;

import org.springframework.stereotype.Component;

/** The executor's hostname, used in runtime names ({@code <hostname>-<runtimeId>}) as Open Runtimes does. */
@Component
public class ExecutorIdentity {

    private final String hostname;

    public ExecutorIdentity() {
        this.hostname = resolveHostname();
    }

    public String hostname() {
        return hostname;
    }

    private static String resolveHostname() {
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
