package dev.hearth.gateway.it;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * An execution's answer as Appwrite's executor client reads it: the multipart document split the way its
 * {@code BodyMultipart::load} splits it (on {@code --<boundary>}, one CRLF trimmed at each end of a section, part
 * name from {@code Content-Disposition}), then {@code intval}/{@code floatval}/{@code json_decode} on the parts.
 * Bytes stay bytes: the body of a binary function comes back as it was sent.
 */
record AppwriteExecution(int statusCode, JsonNode headers, byte[] body, String logs, String errors, double duration,
                         double startTime) {

    private static final ObjectMapper JSON = new ObjectMapper();

    static AppwriteExecution read(String contentType, byte[] document) {
        Map<String, byte[]> parts = parts(contentType, document);
        try {
            return new AppwriteExecution(
                    Integer.parseInt(text(parts, "statusCode", "500").trim()),
                    JSON.readTree(text(parts, "headers", "[]")),
                    parts.getOrDefault("body", new byte[0]),
                    text(parts, "logs", ""),
                    text(parts, "errors", ""),
                    Double.parseDouble(text(parts, "duration", "0")),
                    Double.parseDouble(text(parts, "startTime", "0")));
        } catch (java.io.IOException e) {
            throw new AssertionError("the headers part is not JSON: " + text(parts, "headers", ""), e);
        }
    }

    String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    JsonNode bodyJson() {
        try {
            return JSON.readTree(body);
        } catch (java.io.IOException e) {
            throw new AssertionError("the body is not JSON: " + bodyText(), e);
        }
    }

    private static String text(Map<String, byte[]> parts, String name, String absent) {
        byte[] value = parts.get(name);
        return value == null ? absent : new String(value, StandardCharsets.UTF_8);
    }

    /** Latin-1 maps every byte to one char and back, so the split is binary-safe. */
    private static Map<String, byte[]> parts(String contentType, byte[] document) {
        String boundary = contentType.substring(contentType.indexOf("boundary=") + "boundary=".length());
        String all = new String(document, StandardCharsets.ISO_8859_1);
        Map<String, byte[]> parts = new LinkedHashMap<>();
        for (String section : all.split(java.util.regex.Pattern.quote("--" + boundary), -1)) {
            if (section.startsWith("\r\n")) {
                section = section.substring(2);
            }
            if (section.endsWith("\r\n")) {
                section = section.substring(0, section.length() - 2);
            }
            int split = section.indexOf("\r\n\r\n");
            if (section.isEmpty() || section.equals("--") || split < 0) {
                continue;
            }
            String name = null;
            for (String header : section.substring(0, split).split("\r\n")) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)^content-disposition:.*; name=\"?([^\";]*)")
                        .matcher(header);
                if (m.find()) {
                    name = m.group(1);
                }
            }
            if (name != null) {
                parts.put(name, section.substring(split + 4).getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        return parts;
    }
}
