package dev.hearth.runner.protocol;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.exc.StreamReadException;

/**
 * The JSON of the three records every execution carries ({@link ExecutionRequest} in the request header,
 * {@link ExecutionHead} and {@link ExecutionEnd} as frames), read and written field by field with Jackson's
 * streaming parser and generator. The same documents {@link ProtocolJson} reads and writes, without the object
 * mapper's per-call bean machinery: these run on every execution, on both sides, and the mapper's record handling
 * was about a tenth of an execution's CPU (bench/profile.sh). Unknown fields are skipped, as the mapper does.
 */
public final class ExecutionJson {

    private ExecutionJson() {
    }

    public static byte[] write(ExecutionRequest request) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator json = ProtocolJson.mapper().createGenerator(out)) {
            json.writeStartObject();
            json.writeStringProperty("method", request.method());
            json.writeStringProperty("path", request.path());
            writeHeaders(json, request.headers());
            json.writeNumberProperty("timeoutMs", request.timeoutMs());
            json.writeBooleanProperty("logging", request.logging());
            json.writeName("variables");
            if (request.variables() == null) {
                json.writeNull();
            } else {
                json.writeStartObject();
                request.variables().forEach(json::writeStringProperty);
                json.writeEndObject();
            }
            json.writeEndObject();
        }
        return out.toByteArray();
    }

    public static byte[] write(ExecutionHead head) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator json = ProtocolJson.mapper().createGenerator(out)) {
            json.writeStartObject();
            json.writeNumberProperty("status", head.status());
            writeHeaders(json, head.headers());
            json.writeEndObject();
        }
        return out.toByteArray();
    }

    public static byte[] write(ExecutionEnd end) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + end.logs().length() + end.errors().length());
        try (JsonGenerator json = ProtocolJson.mapper().createGenerator(out)) {
            json.writeStartObject();
            json.writeStringProperty("logs", end.logs());
            json.writeStringProperty("errors", end.errors());
            json.writeBooleanProperty("timedOut", end.timedOut());
            json.writeNumberProperty("exitCode", end.exitCode());
            json.writeNumberProperty("durationMs", end.durationMs());
            json.writeEndObject();
        }
        return out.toByteArray();
    }

    /** @throws IllegalArgumentException when the document is not an execution request */
    public static ExecutionRequest readRequest(byte[] bytes) {
        String method = null;
        String path = null;
        Map<String, List<String>> headers = null;
        long timeoutMs = 0;
        Boolean logging = null;
        Map<String, String> variables = null;
        try (JsonParser json = open(bytes)) {
            while (json.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = json.currentName();
                JsonToken value = json.nextToken();
                switch (name) {
                    case "method" -> method = json.getValueAsString();
                    case "path" -> path = json.getValueAsString();
                    case "headers" -> headers = readHeaders(json, value);
                    case "timeoutMs" -> timeoutMs = json.getValueAsLong();
                    case "logging" -> logging = value == JsonToken.VALUE_NULL ? null : json.getValueAsBoolean();
                    case "variables" -> variables = readStrings(json, value);
                    default -> json.skipChildren();
                }
            }
        }
        return new ExecutionRequest(method, path, headers, timeoutMs, logging, variables);
    }

    public static ExecutionHead readHead(byte[] bytes) {
        int status = 0;
        Map<String, List<String>> headers = null;
        try (JsonParser json = open(bytes)) {
            while (json.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = json.currentName();
                JsonToken value = json.nextToken();
                switch (name) {
                    case "status" -> status = json.getValueAsInt();
                    case "headers" -> headers = readHeaders(json, value);
                    default -> json.skipChildren();
                }
            }
        }
        return new ExecutionHead(status, headers);
    }

    public static ExecutionEnd readEnd(byte[] bytes) {
        String logs = null;
        String errors = null;
        boolean timedOut = false;
        int exitCode = 0;
        double durationMs = 0;
        try (JsonParser json = open(bytes)) {
            while (json.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = json.currentName();
                json.nextToken();
                switch (name) {
                    case "logs" -> logs = json.getValueAsString();
                    case "errors" -> errors = json.getValueAsString();
                    case "timedOut" -> timedOut = json.getValueAsBoolean();
                    case "exitCode" -> exitCode = json.getValueAsInt();
                    case "durationMs" -> durationMs = json.getValueAsDouble();
                    default -> json.skipChildren();
                }
            }
        }
        return new ExecutionEnd(logs, errors, timedOut, exitCode, durationMs);
    }

    private static JsonParser open(byte[] bytes) {
        JsonParser json = ProtocolJson.mapper().createParser(bytes);
        if (json.nextToken() != JsonToken.START_OBJECT) {
            json.close();
            throw new IllegalArgumentException("expected a JSON object");
        }
        return json;
    }

    private static void writeHeaders(JsonGenerator json, Map<String, List<String>> headers) {
        json.writeName("headers");
        json.writeStartObject();
        headers.forEach((name, values) -> {
            json.writeName(name);
            json.writeStartArray();
            values.forEach(json::writeString);
            json.writeEndArray();
        });
        json.writeEndObject();
    }

    /** Name to values; a single string is read as a one-value list. */
    private static Map<String, List<String>> readHeaders(JsonParser json, JsonToken value) {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        expect(json, value, JsonToken.START_OBJECT);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        while (json.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = json.currentName();
            JsonToken values = json.nextToken();
            if (values == JsonToken.START_ARRAY) {
                List<String> list = new ArrayList<>(1);
                for (JsonToken item = json.nextToken(); item != JsonToken.END_ARRAY; item = json.nextToken()) {
                    list.add(scalar(json, item));
                }
                headers.put(name, list);
            } else {
                headers.put(name, List.of(scalar(json, values)));
            }
        }
        return headers;
    }

    private static Map<String, String> readStrings(JsonParser json, JsonToken value) {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        expect(json, value, JsonToken.START_OBJECT);
        Map<String, String> strings = new LinkedHashMap<>();
        while (json.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = json.currentName();
            strings.put(name, scalar(json, json.nextToken()));
        }
        return strings;
    }

    /** A string, number or boolean as text; null as ""; an object or array is not a header value. */
    private static String scalar(JsonParser json, JsonToken token) {
        if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
            throw new StreamReadException(json, "expected a string but found " + token);
        }
        return json.getValueAsString("");
    }

    private static void expect(JsonParser json, JsonToken actual, JsonToken expected) {
        if (actual != expected) {
            throw new StreamReadException(json, "expected " + expected + " but found " + actual);
        }
    }
}
