package dev.hearth.charts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Just enough of a Kubernetes API for the chart's {@code lookup} of its own Secret: helm-java's {@code template},
 * unlike the helm CLI's, runs lookups against a cluster. Serves the core group's discovery document and
 * {@code GET} of Secrets the test put here (404 for any other). Helm finds it through {@code KUBECONFIG}: the
 * Helm library reads the environment the JVM started with, so the Surefire configuration sets it (to a file of its
 * own per build), and this server writes that file when it starts.
 */
final class LookupApiServer {


    private static final String DISCOVERY = """
            {"kind":"APIResourceList","apiVersion":"v1","groupVersion":"v1","resources":[
            {"name":"secrets","singularName":"secret","namespaced":true,"kind":"Secret","verbs":["get","list"]}]}""";
    private static final String NOT_FOUND = """
            {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","reason":"NotFound","code":404}""";

    private static final LookupApiServer INSTANCE = new LookupApiServer();

    private final Map<String, String> secrets = new ConcurrentHashMap<>();
    private final HttpServer server;

    private LookupApiServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", this::handle);
            server.start();
            String kubeconfig = System.getenv("KUBECONFIG");
            if (kubeconfig == null || kubeconfig.isBlank()) {
                throw new IllegalStateException("KUBECONFIG is not set: run the chart tests through Maven, or set it to a"
                        + " writable file this test may overwrite");
            }
            Path file = Path.of(kubeconfig);
            Files.createDirectories(file.toAbsolutePath().getParent());
            file.toFile().deleteOnExit();
            Files.writeString(file, """
                    apiVersion: v1
                    kind: Config
                    clusters:
                      - name: lookup
                        cluster:
                          server: http://127.0.0.1:%d
                    contexts:
                      - name: lookup
                        context:
                          cluster: lookup
                          user: lookup
                    current-context: lookup
                    users:
                      - name: lookup
                        user: {}
                    """.formatted(server.getAddress().getPort()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static LookupApiServer get() {
        return INSTANCE;
    }

    /** Serves a Secret {@code namespace/name} whose {@code data} holds {@code key} (already base64). */
    void putSecret(String namespace, String name, String key, String base64Value) {
        putSecret(namespace, name, Map.of(key, base64Value));
    }

    /** Serves a Secret {@code namespace/name} with this {@code data} (values already base64). */
    void putSecret(String namespace, String name, Map<String, String> base64Data) {
        String data = base64Data.entrySet().stream()
                .map(entry -> "\"%s\":\"%s\"".formatted(entry.getKey(), entry.getValue()))
                .collect(java.util.stream.Collectors.joining(","));
        secrets.put(namespace + "/" + name, """
                {"apiVersion":"v1","kind":"Secret","metadata":{"name":"%s","namespace":"%s"},"data":{%s}}"""
                .formatted(name, namespace, data));
    }

    void clear() {
        secrets.clear();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (path.equals("/api/v1")) {
            respond(exchange, 200, DISCOVERY);
            return;
        }
        String[] parts = path.split("/");
        // /api/v1/namespaces/{ns}/secrets/{name}
        if (parts.length == 7 && parts[3].equals("namespaces") && parts[5].equals("secrets")) {
            String secret = secrets.get(parts[4] + "/" + parts[6]);
            respond(exchange, secret == null ? 404 : 200, secret == null ? NOT_FOUND : secret);
            return;
        }
        respond(exchange, 404, NOT_FOUND);
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }
}
