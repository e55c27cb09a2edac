package dev.hearth.runner.build;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Reads a process's output as text chunks of at most {@code chunkBytes} bytes, as they come, never splitting a UTF-8
 * character: the bytes of a character cut by a read wait for the next read. Malformed bytes become U+FFFD.
 * Blocking; one instance per stream, on its own thread.
 */
final class Utf8Chunks {

    private Utf8Chunks() {
    }

    /** Reads {@code in} to its end, handing each decoded chunk to {@code sink}. */
    static void pump(InputStream in, int chunkBytes, Consumer<String> sink) throws IOException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        ByteBuffer bytes = ByteBuffer.allocate(chunkBytes);
        CharBuffer chars = CharBuffer.allocate(chunkBytes);
        int read;
        while ((read = in.read(bytes.array(), bytes.position(), bytes.remaining())) >= 0) {
            bytes.position(bytes.position() + read);
            bytes.flip();
            decoder.decode(bytes, chars, false);
            emit(chars, sink);
            bytes.compact();
        }
        bytes.flip();
        decoder.decode(bytes, chars, true);
        decoder.flush(chars);
        emit(chars, sink);
    }

    private static void emit(CharBuffer chars, Consumer<String> sink) {
        chars.flip();
        if (chars.hasRemaining()) {
            sink.accept(chars.toString());
        }
        chars.clear();
    }
}
