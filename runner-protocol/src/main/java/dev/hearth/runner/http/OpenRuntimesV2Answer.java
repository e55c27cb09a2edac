package dev.hearth.runner.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A v2 server's answer, {@code {"response": …, "stdout": "…", "stderr": "…"}}, mapped as the upstream executor maps it:
 * the body is {@code response} (a string as it is; an array or object as PHP re-encodes it, see {@link PhpJson}; an
 * object with {@code JSON_FORCE_OBJECT}), {@code logs} is {@code stdout} and {@code errors} is {@code stderr}, each
 * cut at 1,000,000 bytes on a character boundary. A missing or null field is empty; an answer that is not a JSON
 * object leaves all three empty (PHP's {@code json_decode} yields nothing to read them from). Other scalars: numbers
 * as PHP writes them, {@code true} as {@code 1} and {@code false} as nothing (PHP's {@code strval}, which Appwrite's
 * multipart reading sees).
 *
 * @param body   the execution's response body
 * @param logs   the function's captured {@code console.log} output
 * @param errors the function's captured {@code console.error} output
 */
record OpenRuntimesV2Answer(String body, String logs, String errors) {

    /** Upstream's cut of a v2 execution's logs and errors ({@code MAX_BUILD_LOG_SIZE}). */
    static final int MAX_LOG_BYTES = 1_000_000;

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    /** The answer in {@code json} (read, not released). */
    static OpenRuntimesV2Answer parse(ByteBuf json) {
        try (InputStream in = new ByteBufInputStream(json.duplicate())) {
            return parse(MAPPER.readTree(in));
        } catch (JacksonException | IOException notJson) {
            return new OpenRuntimesV2Answer("", "", "");
        }
    }

    static OpenRuntimesV2Answer parse(byte[] json) {
        try {
            return parse(MAPPER.readTree(json));
        } catch (JacksonException notJson) {
            return new OpenRuntimesV2Answer("", "", "");
        }
    }

    private static OpenRuntimesV2Answer parse(JsonNode answer) {
        if (answer == null || !answer.isObject()) {
            return new OpenRuntimesV2Answer("", "", "");
        }
        return new OpenRuntimesV2Answer(text(answer.get("response")), cut(text(answer.get("stdout"))),
                cut(text(answer.get("stderr"))));
    }

    private static String text(JsonNode value) {
        if (value == null || value.isNull()) {
            return "";
        }
        if (value.isString()) {
            return value.stringValue();
        }
        if (value.isBoolean()) {
            return value.booleanValue() ? "1" : "";
        }
        if (value.isNumber()) {
            return PhpJson.number(value);
        }
        return PhpJson.encode(value, value.isObject());
    }

    /** The first {@link #MAX_LOG_BYTES} bytes of {@code text}, not splitting a character (PHP's mb_strcut). */
    static String cut(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_LOG_BYTES) {
            return text;
        }
        int end = MAX_LOG_BYTES;
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }
}
