package dev.hearth.pool.runtime;

import java.time.Duration;
import java.util.Objects;

/**
 * What a build runs, beside the runtime's {@link RuntimeSpec} (Open Runtimes' create-runtime parameters
 * {@code command}, {@code timeout}, {@code outputDirectory}).
 *
 * @param command         the build command
 * @param timeout         how long it may run
 * @param outputDirectory exported as {@code OPEN_RUNTIMES_OUTPUT_DIRECTORY} when not empty
 */
public record BuildSpec(String command, Duration timeout, String outputDirectory) {

    public BuildSpec {
        if (command == null || command.isBlank()) {
            throw new IllegalArgumentException("command must not be blank, but was '" + command + "'");
        }
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be positive, but was " + timeout);
        }
        outputDirectory = outputDirectory == null ? "" : outputDirectory;
    }
}
