package dev.hearth.gateway.api.params;

import dev.hearth.gateway.api.error.ExecutorException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.springframework.http.ContentDisposition;
import org.springframework.http.MediaType;

/**
 * A parser of a fully buffered {@code multipart/form-data} body (RFC 7578) that keeps every part's
 * bytes exactly as sent. Spring's part readers decode parts without a filename as text, which
 * would turn a binary execution body sent as a plain field (Appwrite's encoding) into U+FFFD
 * replacement characters; upstream PHP keeps the bytes, and so does this. Stateless.
 */
final class MultipartBody {

    /** RFC 2046 caps boundaries at 70 characters. */
    static final int MAX_BOUNDARY_LENGTH = 70;
    static final int MAX_PARTS = 1024;
    static final int MAX_PART_HEADERS_BYTES = 16 * 1024;

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] HEADERS_END = {'\r', '\n', '\r', '\n'};

    /**
     * One part.
     *
     * @param name        the form field name from {@code Content-Disposition}
     * @param filename    null unless the part is a file
     * @param contentType null unless declared
     * @param content     the part's bytes, exactly as sent
     */
    record Part(String name, String filename, MediaType contentType, byte[] content) {
    }

    private MultipartBody() {
    }

    /** @throws ExecutorException 400 when the body is not well-formed multipart for {@code type} */
    static List<Part> parse(MediaType type, byte[] body) {
        byte[] delimiter = ("--" + boundary(type)).getBytes(StandardCharsets.ISO_8859_1);
        byte[] separator = concat(CRLF, delimiter);
        int pos = 0;
        if (!startsWith(body, 0, delimiter)) {
            int found = indexOf(body, separator, 0); // after a preamble
            if (found < 0) {
                throw invalid("no opening boundary");
            }
            pos = found + CRLF.length;
        }
        List<Part> parts = new ArrayList<>();
        while (true) {
            pos += delimiter.length;
            if (startsWith(body, pos, new byte[] {'-', '-'})) {
                return parts;
            }
            pos = skipPaddingAndCrlf(body, pos);
            int headersEnd = indexOf(body, HEADERS_END, pos);
            if (headersEnd < 0 || headersEnd - pos > MAX_PART_HEADERS_BYTES) {
                throw invalid("part headers are not terminated");
            }
            int contentEnd = indexOf(body, separator, headersEnd + HEADERS_END.length);
            if (contentEnd < 0) {
                throw invalid("no closing boundary");
            }
            if (parts.size() == MAX_PARTS) {
                throw invalid("more than " + MAX_PARTS + " parts");
            }
            String headers = new String(body, pos, headersEnd - pos, StandardCharsets.UTF_8);
            parts.add(part(headers, Arrays.copyOfRange(body, headersEnd + HEADERS_END.length, contentEnd)));
            pos = contentEnd + CRLF.length;
        }
    }

    private static Part part(String headers, byte[] content) {
        ContentDisposition disposition = null;
        MediaType contentType = null;
        for (String line : headers.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            try {
                if (name.equals("content-disposition")) {
                    disposition = ContentDisposition.parse(value);
                } else if (name.equals("content-type")) {
                    contentType = MediaType.parseMediaType(value);
                }
            } catch (IllegalArgumentException e) {
                throw invalid("bad " + name + " header: " + e.getMessage());
            }
        }
        if (disposition == null || disposition.getName() == null) {
            throw invalid("a part has no Content-Disposition name");
        }
        return new Part(disposition.getName(), disposition.getFilename(), contentType, content);
    }

    private static String boundary(MediaType type) {
        String boundary = type.getParameter("boundary");
        if (boundary != null && boundary.length() >= 2 && boundary.startsWith("\"") && boundary.endsWith("\"")) {
            boundary = boundary.substring(1, boundary.length() - 1);
        }
        if (boundary == null || boundary.isEmpty() || boundary.length() > MAX_BOUNDARY_LENGTH) {
            throw invalid("the Content-Type needs a boundary of 1 to " + MAX_BOUNDARY_LENGTH + " characters");
        }
        return boundary;
    }

    private static int skipPaddingAndCrlf(byte[] body, int pos) {
        while (pos < body.length && (body[pos] == ' ' || body[pos] == '\t')) {
            pos++;
        }
        if (!startsWith(body, pos, CRLF)) {
            throw invalid("a boundary line is not followed by CRLF");
        }
        return pos + CRLF.length;
    }

    private static boolean startsWith(byte[] body, int pos, byte[] prefix) {
        return pos >= 0 && pos + prefix.length <= body.length
                && Arrays.equals(body, pos, pos + prefix.length, prefix, 0, prefix.length);
    }

    /** Knuth-Morris-Pratt: linear even when a caller picks a self-overlapping boundary. */
    static int indexOf(byte[] data, byte[] pattern, int from) {
        int[] failure = new int[pattern.length];
        for (int i = 1, k = 0; i < pattern.length; i++) {
            while (k > 0 && pattern[i] != pattern[k]) {
                k = failure[k - 1];
            }
            if (pattern[i] == pattern[k]) {
                k++;
            }
            failure[i] = k;
        }
        for (int i = Math.max(from, 0), k = 0; i < data.length; i++) {
            while (k > 0 && data[i] != pattern[k]) {
                k = failure[k - 1];
            }
            if (data[i] == pattern[k]) {
                k++;
            }
            if (k == pattern.length) {
                return i - pattern.length + 1;
            }
        }
        return -1;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] joined = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }

    private static ExecutorException invalid(String reason) {
        return ExecutorException.badRequest("Invalid multipart body: " + reason);
    }
}
