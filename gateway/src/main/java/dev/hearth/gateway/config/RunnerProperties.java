package dev.hearth.gateway.config;

import java.time.Duration;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code hearth.runner.*}: how the gateway reaches the runners in its pods.
 *
 * @param connectTimeout how long connecting to a runner may take
 */
public record RunnerProperties(@DefaultValue("5s") Duration connectTimeout) {

    public RunnerProperties {
        Durations.requirePositive("hearth.runner.connect-timeout", connectTimeout);
    }
}
