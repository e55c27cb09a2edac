package dev.hearth.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An execution's multipart answer split into its parts, as upstream's test client reads it ({@code BodyMultipart}):
 * part name → raw bytes. Only what the tests need: no part headers beyond the name, no nested multiparts.
 */
record MultipartAnswer(Map<String, byte[]> parts) {

    static MultipartAnswer parse(String contentType, byte[] body) {
        assertThat(contentType).as("content-type").startsWith("multipart/form-data").contains("boundary=");
        String boundary = "--" + contentType.substring(contentType.indexOf("boundary=") + "boundary=".length());
        String text = new String(body, StandardCharsets.ISO_8859_1); // one char a byte: binary parts survive
        Map<String, byte[]> parts = new LinkedHashMap<>();
        int at = text.indexOf(boundary);
        while (at >= 0 && !text.startsWith(boundary + "--", at)) {
            int headersEnd = text.indexOf("\r\n\r\n", at);
            int next = text.indexOf("\r\n" + boundary, headersEnd);
            String headers = text.substring(at, headersEnd);
            int nameAt = headers.indexOf("name=\"") + "name=\"".length();
            String name = headers.substring(nameAt, headers.indexOf('"', nameAt));
            parts.put(name, text.substring(headersEnd + 4, next).getBytes(StandardCharsets.ISO_8859_1));
            at = next + 2;
        }
        return new MultipartAnswer(parts);
    }

    String text(String name) {
        assertThat(parts).as("parts").containsKey(name);
        return new String(parts.get(name), StandardCharsets.UTF_8);
    }

    byte[] bytes(String name) {
        assertThat(parts).as("parts").containsKey(name);
        return parts.get(name);
    }
}
