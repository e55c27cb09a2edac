package dev.hearth.pool.docker;

import java.util.List;
import java.util.Map;

import com.github.dockerjava.api.model.HostConfig;

/**
 * A container to create: what {@link ContainerTemplates} renders and {@link DockerApi#createContainer} submits.
 * {@code env} holds the pod secret: {@link #toString()} never prints it.
 */
public record ContainerSpec(String name, String image, String user, List<String> entrypoint, List<String> command,
                            List<String> env, Map<String, String> labels, HostConfig hostConfig) {

    public ContainerSpec {
        entrypoint = List.copyOf(entrypoint);
        command = List.copyOf(command);
        env = List.copyOf(env);
        labels = Map.copyOf(labels);
    }

    /** The value of environment variable {@code name}, or {@code null}. */
    public String envValue(String name) {
        return env.stream()
                .filter(entry -> entry.startsWith(name + "="))
                .map(entry -> entry.substring(name.length() + 1))
                .findFirst()
                .orElse(null);
    }

    @Override
    public String toString() {
        return "ContainerSpec[" + name + " " + image + " user=" + user + " labels=" + labels + "]";
    }
}
