package dev.hearth.pool.kubernetes.harness;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1ObjectFieldSelector;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1SecretKeySelector;

/**
 * A container's environment as the kubelet builds it: plain values, {@code secretKeyRef}s read from the API and
 * {@code fieldRef}s of the pod (name, namespace, uid, labels, annotations, service account, pod and host IP).
 * {@code $(VAR)} references to earlier variables are expanded, as the kubelet does.
 */
final class PodEnv {

    private static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");
    private static final Pattern KEYED_FIELD = Pattern.compile("metadata\\.(labels|annotations)\\['(.+)'\\]");

    private PodEnv() {
    }

    /**
     * @param secrets the value of a secret key, null while the Secret or key does not exist
     * @return the environment, or null while a referenced Secret is missing (the kubelet holds the container back
     *         and looks again)
     * @throws IllegalArgumentException for a {@code valueFrom} the harness does not simulate
     */
    static Map<String, String> resolve(V1Pod pod, V1Container container, String podIp,
                                       Function<V1SecretKeySelector, String> secrets) {
        Map<String, String> values = new LinkedHashMap<>();
        for (V1EnvVar var : container.getEnv() == null ? List.<V1EnvVar>of() : container.getEnv()) {
            String value;
            if (var.getValueFrom() == null) {
                value = expand(var.getValue() == null ? "" : var.getValue(), values);
            } else if (var.getValueFrom().getSecretKeyRef() != null) {
                value = secrets.apply(var.getValueFrom().getSecretKeyRef());
                if (value == null) {
                    return null;
                }
            } else if (var.getValueFrom().getFieldRef() != null) {
                value = field(pod, var.getValueFrom().getFieldRef(), podIp);
            } else {
                throw new IllegalArgumentException("env " + var.getName() + ": only value, secretKeyRef and fieldRef"
                        + " are simulated, but was " + var.getValueFrom());
            }
            values.put(var.getName(), value);
        }
        return values;
    }

    private static String field(V1Pod pod, V1ObjectFieldSelector selector, String podIp) {
        String path = selector.getFieldPath();
        Matcher keyed = KEYED_FIELD.matcher(path);
        if (keyed.matches()) {
            Map<String, String> map = keyed.group(1).equals("labels") ? pod.getMetadata().getLabels()
                    : pod.getMetadata().getAnnotations();
            return map == null ? "" : map.getOrDefault(keyed.group(2), "");
        }
        return switch (path) {
            case "metadata.name" -> pod.getMetadata().getName();
            case "metadata.namespace" -> pod.getMetadata().getNamespace();
            case "metadata.uid" -> String.valueOf(pod.getMetadata().getUid());
            case "spec.serviceAccountName" -> String.valueOf(pod.getSpec().getServiceAccountName());
            case "spec.nodeName" -> "simulated-node";
            case "status.podIP", "status.podIPs" -> podIp;
            case "status.hostIP", "status.hostIPs" -> "127.0.0.1";
            default -> throw new IllegalArgumentException("fieldRef " + path + " is not simulated");
        };
    }

    /** {@code $(NAME)} of a variable defined before becomes its value; {@code $$(NAME)} stays literal. */
    private static String expand(String value, Map<String, String> earlier) {
        Matcher matcher = REFERENCE.matcher(value);
        StringBuilder result = new StringBuilder();
        while (matcher.find()) {
            boolean escaped = matcher.start() > 0 && value.charAt(matcher.start() - 1) == '$';
            String replacement = escaped || !earlier.containsKey(matcher.group(1))
                    ? matcher.group() : earlier.get(matcher.group(1));
            matcher.appendReplacement(result, Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(result);
        return result.toString().replace("$$(", "$(");
    }
}
