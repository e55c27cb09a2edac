package dev.hearth.charts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.handler.IgnoreTopLevelConverterNotFoundBindHandler;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;

import dev.hearth.gateway.config.HearthProperties;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * The Spring environment the gateway container of a render would see: its environment variables (Secret
 * references resolved against the rendered Secret, or against {@code existingSecrets} standing in for Secrets the
 * operator created), the rendered application.yaml where SPRING_CONFIG_ADDITIONAL_LOCATION points (the mount moved
 * to a temporary directory), and the gateway jar's own application.yml. Loaded by Spring Boot's own config-data
 * processing, then bound with {@link Binder} as the gateway binds its {@code @ConfigurationProperties}.
 */
final class GatewayEnvironment {

    static final String CONFIG_MOUNT = "/etc/hearth";

    private final Map<String, String> variables;
    private final ConfigurableEnvironment environment;

    private GatewayEnvironment(Map<String, String> variables, ConfigurableEnvironment environment) {
        this.variables = variables;
        this.environment = environment;
    }

    static GatewayEnvironment of(Manifests manifests, Path scratch) {
        return of(manifests, scratch, Map.of());
    }

    /** @param existingSecrets Secret name → key → value, for Secrets the chart references but does not create */
    static GatewayEnvironment of(Manifests manifests, Path scratch, Map<String, Map<String, String>> existingSecrets) {
        Map<String, String> variables = containerVariables(manifests, scratch, existingSecrets);
        ConfigurableEnvironment environment = containerEnvironment(variables);
        ConfigDataEnvironmentPostProcessor.applyTo(environment);
        return new GatewayEnvironment(variables, environment);
    }

    /**
     * The gateway container's environment variables, Secret references resolved, with
     * SPRING_CONFIG_ADDITIONAL_LOCATION moved to where the mounted ConfigMap was written under {@code scratch}.
     */
    static Map<String, String> containerVariables(Manifests manifests, Path scratch,
                                                  Map<String, Map<String, String>> existingSecrets) {
        Map<String, Object> deployment = manifests.only("Deployment");
        Map<String, Object> container = Yamls.map(deployment, "spec.template.spec.containers[0]");
        Map<String, String> variables = variables(manifests, container, existingSecrets);
        Path config = writeConfig(manifests, deployment, container, scratch);
        String location = variables.get("SPRING_CONFIG_ADDITIONAL_LOCATION");
        String mounted = "file:" + CONFIG_MOUNT + "/";
        if (location == null || !location.startsWith(mounted)) {
            throw new IllegalStateException("SPRING_CONFIG_ADDITIONAL_LOCATION should point into the config mount "
                    + CONFIG_MOUNT + ", but was " + location);
        }
        variables.put("SPRING_CONFIG_ADDITIONAL_LOCATION", "file:" + config.resolve(location.substring(mounted.length())));
        return variables;
    }

    /** An environment holding only {@code variables} as its system environment: nothing of this JVM's. */
    static StandardEnvironment containerEnvironment(Map<String, String> variables) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
        environment.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                        new LinkedHashMap<String, Object>(variables)));
        return environment;
    }

    /** The container's environment variables (Secret references resolved, config location moved). */
    Map<String, String> variables() {
        return variables;
    }

    ConfigurableEnvironment environment() {
        return environment;
    }

    /**
     * {@code hearth.*} bound as the gateway binds it: {@code ignoreUnknownFields = false}, so a key the gateway does not
     * know fails here as it would fail the gateway's startup.
     */
    HearthProperties hearth() {
        return Binder.get(environment).bind("hearth", Bindable.of(HearthProperties.class),
                        new NoUnboundElementsBindHandler(new IgnoreTopLevelConverterNotFoundBindHandler()))
                .orElseThrow(() -> new IllegalStateException("nothing bound to hearth"));
    }

    <T> T bind(String prefix, Class<T> type) {
        return Binder.get(environment).bind(prefix, type)
                .orElseThrow(() -> new IllegalStateException("nothing bound to " + prefix));
    }

    String property(String name) {
        return environment.getProperty(name);
    }

    private static Map<String, String> variables(Manifests manifests, Map<String, Object> container,
                                                 Map<String, Map<String, String>> existingSecrets) {
        Map<String, String> variables = new LinkedHashMap<>();
        Object env = container.get("env");
        for (Object item : env == null ? List.of() : (List<?>) env) {
            String name = Yamls.string(item, "name");
            if (Yamls.at(item, "value") != null) {
                variables.put(name, Yamls.string(item, "value"));
            } else if (Yamls.at(item, "valueFrom.secretKeyRef") != null) {
                variables.put(name, secretValue(manifests, Yamls.string(item, "valueFrom.secretKeyRef.name"),
                        Yamls.string(item, "valueFrom.secretKeyRef.key"), existingSecrets));
            } else {
                throw new IllegalStateException("environment variable " + name + " has neither value nor secretKeyRef");
            }
        }
        return variables;
    }

    private static String secretValue(Manifests manifests, String name, String key,
                                      Map<String, Map<String, String>> existingSecrets) {
        if (manifests.has("Secret", name)) {
            String encoded = Yamls.string(manifests.get("Secret", name), "data." + key);
            if (encoded == null) {
                throw new IllegalStateException("the chart's Secret " + name + " has no key " + key);
            }
            return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        }
        Map<String, String> existing = existingSecrets.get(name);
        if (existing == null || !existing.containsKey(key)) {
            throw new IllegalStateException("Secret " + name + " (key " + key + ") is neither rendered nor given as existing");
        }
        return existing.get(key);
    }

    /** The ConfigMap mounted at {@link #CONFIG_MOUNT}, written where the test can load it. */
    private static Path writeConfig(Manifests manifests, Map<String, Object> deployment, Map<String, Object> container,
                                    Path scratch) {
        String volume = ((List<?>) container.get("volumeMounts")).stream()
                .filter(mount -> CONFIG_MOUNT.equals(Yamls.string(mount, "mountPath")))
                .map(mount -> Yamls.string(mount, "name"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("nothing is mounted at " + CONFIG_MOUNT));
        String configMap = Yamls.list(deployment, "spec.template.spec.volumes").stream()
                .filter(item -> volume.equals(Yamls.string(item, "name")))
                .map(item -> Yamls.string(item, "configMap.name"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("volume " + volume + " is not a ConfigMap"));
        try {
            Path directory = Files.createDirectories(scratch.resolve("etc-hearth"));
            for (Map.Entry<String, Object> file : Yamls.map(manifests.get("ConfigMap", configMap), "data").entrySet()) {
                Files.writeString(directory.resolve(file.getKey()), file.getValue().toString());
            }
            return directory;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
