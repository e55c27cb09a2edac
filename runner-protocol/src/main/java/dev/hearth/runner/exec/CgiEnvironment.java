package dev.hearth.runner.exec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

import dev.hearth.runner.protocol.ExecutionRequest;

/** The CGI/1.1 variables of one execution (PROTOCOL.md, {@code exec} adapter). */
final class CgiEnvironment {

    private CgiEnvironment() {
    }

    static Map<String, String> of(ExecutionRequest request, OptionalLong bodyLength) {
        Map<String, String> env = new LinkedHashMap<>();
        String path = request.path();
        int query = path.indexOf('?');
        env.put("GATEWAY_INTERFACE", "CGI/1.1");
        env.put("SERVER_PROTOCOL", "HTTP/1.1");
        env.put("REQUEST_METHOD", request.method());
        env.put("PATH_INFO", query < 0 ? path : path.substring(0, query));
        env.put("QUERY_STRING", query < 0 ? "" : path.substring(query + 1));
        env.put("CONTENT_TYPE", first(request.headers(), "content-type"));
        String declaredLength = first(request.headers(), "content-length");
        if (!declaredLength.isEmpty()) {
            env.put("CONTENT_LENGTH", declaredLength);
        } else if (bodyLength.isPresent()) {
            env.put("CONTENT_LENGTH", Long.toString(bodyLength.getAsLong()));
        }
        request.headers().forEach((name, values) -> env.put(variableName(name), String.join(", ", values)));
        return env;
    }

    static String variableName(String header) {
        return "HTTP_" + header.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    private static String first(Map<String, List<String>> headers, String name) {
        for (Map.Entry<String, List<String>> header : headers.entrySet()) {
            if (header.getKey().equalsIgnoreCase(name) && !header.getValue().isEmpty()) {
                return header.getValue().get(0);
            }
        }
        return "";
    }
}
