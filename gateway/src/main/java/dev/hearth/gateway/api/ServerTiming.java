package dev.hearth.gateway.api;

/**
 * A W3C {@code Server-Timing} header built by hand, metric by metric ({@code name;dur=12.345}, milliseconds to the
 * microsecond): it is written once per execution, where {@code String.format} would cost more than the rest.
 * Executions ({@code PhaseTimings}) and creations ({@code CreationServerTiming}) say which metrics.
 */
public final class ServerTiming {

    public static final String HEADER = "Server-Timing";

    private final StringBuilder header = new StringBuilder(160);

    /** Appends a metric, after a {@code ", "} when there is one already. */
    public ServerTiming metric(String name, double millis) {
        if (!header.isEmpty()) {
            header.append(", ");
        }
        long micros = Math.round(millis * 1000);
        header.append(name).append(";dur=").append(micros / 1000).append('.');
        long fraction = micros % 1000;
        if (fraction < 100) {
            header.append('0');
        }
        if (fraction < 10) {
            header.append('0');
        }
        header.append(fraction);
        return this;
    }

    @Override
    public String toString() {
        return header.toString();
    }
}
