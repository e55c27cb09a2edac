package dev.hearth.gateway.it;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.springframework.http.HttpMethod;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Appwrite 1.9.6's calls to its executor, as its {@code Executor} client writes them (reference §1.5, §9 and issue
 * 11's "What Appwrite sends"): the same headers in the same order, the build as PHP's {@code json_encode} writes it
 * ({@code \/} for every slash, {@code []} for an empty map, {@code 1.0} for a float), the execution as Appwrite's own
 * multipart encoder writes it (parts in its order, maps as JSON parts with {@code Content-Type: application/json},
 * {@code true} → {@code 1}, {@code false} → {@code 0}, {@code body} last and only when not empty, a
 * {@code -----------------------------<uniqid>} boundary), and the {@code DELETE} with its JSON body {@code []}.
 * Bodies are written here byte by byte, not by a client library, so what Hearth receives is what Appwrite sends.
 * For any driver: a test sends a {@link Call} with {@link Call#exchange}.
 */
public final class AppwriteCalls {

    /** Appwrite's start line for v5 images (1.9.6): the artifact is copied where helpers/start.sh looks for it. */
    public static final String RUNTIME_ENTRYPOINT =
            "cp /tmp/code.tar.gz /mnt/code/code.tar.gz && nohup helpers/start.sh \"bash helpers/server.sh\"";
    /** The response formats: 0.10.0 from the API and the workers, 0.11.0 from the domain router. */
    public static final String FORMAT_API = "0.10.0";
    public static final String FORMAT_ROUTER = "0.11.0";

    private final String secret;
    private final String image;

    /** Calls signed with the executor's {@code secret}, for functions of {@code image} (e.g. openruntimes/node:v5-22). */
    public AppwriteCalls(String secret, String image) {
        this.secret = secret;
        this.image = image;
    }

    /** One HTTP request: method, path, headers in order, body bytes. */
    public record Call(HttpMethod method, String path, List<Map.Entry<String, String>> headers, byte[] body) {

        public WebTestClient.ResponseSpec exchange(WebTestClient client) {
            WebTestClient.RequestBodySpec request = client.method(method).uri(path)
                    .headers(h -> headers.forEach(e -> h.add(e.getKey(), e.getValue())));
            // curl sends no body with a GET (Appwrite puts its parameters in the query string).
            return method == HttpMethod.GET ? request.exchange() : request.bodyValue(body).exchange();
        }

        public String header(String name) {
            return headers.stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
                    .findFirst().orElse(null);
        }
    }

    /** A deployment's build: Appwrite's Builds worker calling {@code createRuntime} (runtime {@code <p>-<d>-build}). */
    public record Build(String projectId, String deploymentId, String source, String entrypoint,
                        Map<String, String> variables, String installCommand) {
    }

    /** An execution: the API or the worker ({@link #FORMAT_API}) or the router ({@link #FORMAT_ROUTER}). */
    public record Execution(String projectId, String deploymentId, String source, String entrypoint,
                            Map<String, String> variables, String path, String method, Map<String, String> headers,
                            boolean logging, String responseFormat, String body) {
    }

    public Call build(Build build) {
        String runtimeId = build.projectId() + "-" + build.deploymentId() + "-build";
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("runtimeId", runtimeId);
        params.put("source", build.source());
        params.put("destination", "/storage/builds/app-" + build.projectId());
        params.put("image", image);
        params.put("entrypoint", build.entrypoint());
        params.put("variables", build.variables());
        params.put("remove", true);
        params.put("command", "tar -zxf /tmp/code.tar.gz -C /mnt/code && helpers/build.sh "
                + shellQuoted(build.installCommand()));
        params.put("cpus", 1.0);
        params.put("memory", 512);
        params.put("version", "v5");
        params.put("timeout", 900);
        params.put("outputDirectory", "");
        params.put("runtimeEntrypoint", "");
        List<Map.Entry<String, String>> headers = common("application/json", "anycast-efficient");
        headers.add(Map.entry("x-opr-runtime-id", runtimeId));
        headers.add(Map.entry("accept", "*/*"));
        return new Call(HttpMethod.POST, "/v1/runtimes", headers, PhpJson.encode(params).getBytes(StandardCharsets.UTF_8));
    }

    public Call execution(Execution execution) {
        return execution(execution, "-----------------------------" + uniqid());
    }

    /** The execution call with a given multipart boundary (Appwrite's is {@code -----------------------------<uniqid>}). */
    Call execution(Execution execution, String boundary) {
        String runtimeId = execution.projectId() + "-" + execution.deploymentId();
        Map<String, Object> parts = new LinkedHashMap<>();
        parts.put("runtimeId", runtimeId);
        parts.put("variables", execution.variables());
        parts.put("timeout", 15);
        parts.put("path", execution.path());
        parts.put("method", execution.method());
        parts.put("headers", execution.headers());
        parts.put("image", image);
        parts.put("source", execution.source());
        parts.put("entrypoint", execution.entrypoint());
        parts.put("cpus", 1.0);
        parts.put("memory", 512);
        parts.put("version", "v5");
        parts.put("runtimeEntrypoint", RUNTIME_ENTRYPOINT);
        parts.put("logging", execution.logging());
        parts.put("restartPolicy", "always");
        if (execution.body() != null && !execution.body().isEmpty()) {
            parts.put("body", execution.body());
        }
        List<Map.Entry<String, String>> headers = common("multipart/form-data; boundary=" + boundary, "anycast-efficient");
        headers.add(Map.entry("x-opr-runtime-id", runtimeId));
        headers.add(Map.entry("accept", "multipart/form-data"));
        headers.add(Map.entry("x-executor-response-format", execution.responseFormat()));
        return new Call(HttpMethod.POST, "/v1/runtimes/" + runtimeId + "/executions", headers,
                multipart(boundary, parts));
    }

    /**
     * {@code getLogs}, which the Builds worker calls concurrently with the build: a GET whose parameters are in the
     * query string, still with the JSON content type, and {@code accept: text/event-stream} added last.
     */
    public Call buildLogs(String projectId, String deploymentId) {
        String runtimeId = projectId + "-" + deploymentId + "-build";
        List<Map.Entry<String, String>> headers = common("application/json", "anycast-efficient");
        headers.add(Map.entry("x-opr-runtime-id", runtimeId));
        headers.add(Map.entry("accept", "text/event-stream"));
        return new Call(HttpMethod.GET, "/v1/runtimes/" + runtimeId + "/logs?timeout=900", headers, new byte[0]);
    }

    /** {@code deleteRuntime}: JSON content type with the body {@code []} (curl's POSTFIELDS of an empty array). */
    public Call delete(String projectId, String deploymentId) {
        List<Map.Entry<String, String>> headers = common("application/json", "broadcast");
        headers.add(Map.entry("accept", "*/*"));
        return new Call(HttpMethod.DELETE, "/v1/runtimes/" + projectId + "-" + deploymentId, headers,
                "[]".getBytes(StandardCharsets.UTF_8));
    }

    private List<Map.Entry<String, String>> common(String contentType, String addressing) {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        headers.add(Map.entry("content-type", contentType));
        headers.add(Map.entry("authorization", "Bearer " + secret));
        headers.add(Map.entry("x-opr-addressing-method", addressing));
        headers.add(Map.entry("x-edge-bypass-gateway", "1"));
        return headers;
    }

    /** Appwrite's multipart encoder: every part a plain field, CRLF line ends, maps as JSON parts. */
    static byte[] multipart(String boundary, Map<String, Object> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringBuilder text = new StringBuilder("--").append(boundary);
        parts.forEach((name, value) -> {
            text.append("\r\nContent-Disposition: form-data; name=\"").append(name).append('"');
            if (value instanceof Map<?, ?> map) {
                text.append("\r\nContent-Type: application/json");
                value = PhpJson.encode(map);
            }
            text.append("\r\n\r\n").append(PhpJson.strval(value)).append("\r\n--").append(boundary);
        });
        text.append("--\r\n");
        out.writeBytes(text.toString().getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** PHP's {@code escapeshellarg}: single quotes, each inner one as {@code '\''}. */
    static String shellQuoted(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }

    /** PHP's {@code uniqid()}: 13 hexadecimal digits (seconds, then microseconds). */
    static String uniqid() {
        long micros = System.currentTimeMillis() * 1000 + ThreadLocalRandom.current().nextInt(1000);
        return String.format("%08x%05x", micros / 1_000_000, micros % 1_000_000);
    }
}
