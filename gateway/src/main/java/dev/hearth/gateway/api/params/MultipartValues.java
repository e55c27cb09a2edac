package dev.hearth.gateway.api.params;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.springframework.http.MediaType;

/**
 * The value of one multipart part, as the executor's clients mean it: a file part (one with a
 * filename) is raw bytes; a part declared {@code Content-Type: application/json} is decoded JSON
 * (Appwrite's encoding of arrays); anything else is a string in the part's charset (UTF-8 by
 * default) or, when its bytes are not valid in that charset, raw bytes: Appwrite sends binary
 * execution bodies as plain fields, and PHP strings are byte strings. Stateless.
 */
final class MultipartValues {

    private MultipartValues() {
    }

    static Object value(MultipartBody.Part part) {
        if (part.filename() != null) {
            return part.content();
        }
        MediaType type = part.contentType();
        if (type != null && MediaType.APPLICATION_JSON.equalsTypeAndSubtype(type)) {
            return ParamsReader.decodeJson(part.content(), "Invalid JSON in part \"" + part.name() + "\": ");
        }
        Charset charset = type != null && type.getCharset() != null ? type.getCharset() : StandardCharsets.UTF_8;
        return textOrBytes(part.content(), charset);
    }

    static Object textOrBytes(byte[] content, Charset charset) {
        try {
            return charset.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(content))
                    .toString();
        } catch (CharacterCodingException e) {
            return content;
        }
    }
}
