package dev.hearth.runner.protocol;

import java.util.Locale;

/** How the runner reaches the function (DESIGN.md, "The runner and its adapters"). */
public enum Adapter {
    /** One process per execution, CGI/1.1 style. */
    EXEC,
    /** A long-lived HTTP server started at specialization with {@code PORT} in its environment. */
    HTTP,
    /**
     * An unchanged Open Runtimes image (runtime protocol v5): its {@code runtimeEntrypoint} starts the image's own
     * server on the fixed port 3000, executions carry the {@code x-open-runtimes-*} headers, logs come from files.
     */
    OPENRUNTIMES;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Adapter fromWire(String name) {
        for (Adapter adapter : values()) {
            if (adapter.wireName().equals(name)) {
                return adapter;
            }
        }
        throw new IllegalArgumentException("unknown adapter '" + name + "', expected one of exec, http, openruntimes");
    }
}
