package dev.hearth.runner.protocol;

import java.util.Locale;

/** How the runner reaches the function (DESIGN.md, "The runner and its adapters"). */
public enum Adapter {
    /** One process per execution, CGI/1.1 style. */
    EXEC,
    /** A long-lived HTTP server started at specialization with {@code PORT} in its environment. */
    HTTP,
    /**
     * An unchanged Open Runtimes image: its {@code runtimeEntrypoint} starts the image's own server on the fixed port
     * 3000; the specialization's {@code version} says how executions reach it (v5: the {@code x-open-runtimes-*}
     * headers, logs from files; v2: one JSON envelope and answer).
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
