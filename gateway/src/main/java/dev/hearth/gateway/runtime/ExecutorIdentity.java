package dev.hearth.gateway.runtime;

import org.springframework.stereotype.Component;

import dev.hearth.pool.runtime.ExecutorHostname;

/** The executor's hostname, used in runtime names ({@code <hostname>-<runtimeId>}) as Open Runtimes does. */
@Component
public class ExecutorIdentity {

    private final String hostname = ExecutorHostname.get();

    public String hostname() {
        return hostname;
    }
}
