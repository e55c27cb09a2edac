package dev.hearth.pool.kubernetes.harness;

import dev.hearth.pool.kubernetes.KubernetesRbac;

/**
 * One API call as RBAC sees it: verb, API group and resource (with its subresource, e.g. {@code pods/status}),
 * and whether it was namespaced. Only namespaced calls can be granted: the gateway gets a Role, not a
 * ClusterRole.
 */
public record ApiAccess(String group, String resource, String verb, boolean namespaced) {

    /** Parses {@code /api/v1/namespaces/N/R[/name[/sub]]} and {@code /apis/G/V/namespaces/N/R[/name[/sub]]}. */
    static ApiAccess of(String method, String uri, boolean watch) {
        String path = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
        String[] parts = path.replaceAll("^/+", "").split("/");
        int at;
        String group;
        if (parts.length >= 2 && parts[0].equals("api")) {
            group = "";
            at = 2;
        } else if (parts.length >= 3 && parts[0].equals("apis")) {
            group = parts[1];
            at = 3;
        } else {
            return new ApiAccess("?", path, method.toLowerCase(), false);
        }
        boolean namespaced = parts.length > at + 1 && parts[at].equals("namespaces");
        if (namespaced) {
            at += 2;
        }
        if (parts.length <= at) {
            return new ApiAccess(group, "namespaces", method.toLowerCase(), false);
        }
        String resource = parts[at];
        boolean named = parts.length > at + 1;
        if (parts.length > at + 2) {
            resource = resource + "/" + parts[at + 2];
        }
        return new ApiAccess(group, resource, verb(method, named, watch), namespaced);
    }

    private static String verb(String method, boolean named, boolean watch) {
        return switch (method) {
            case "GET" -> named ? "get" : watch ? "watch" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> named ? "delete" : "deletecollection";
            default -> method.toLowerCase();
        };
    }

    public boolean allowed() {
        return namespaced && KubernetesRbac.allows(group, resource, verb);
    }

    @Override
    public String toString() {
        return verb + " " + (group.isEmpty() ? "" : group + "/") + resource + (namespaced ? "" : " (cluster-wide)");
    }
}
