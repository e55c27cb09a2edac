package dev.hearth.runner.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class Utf8ChunksTest {

    /** Hands out one byte a read, as a pipe may. */
    private static InputStream trickle(byte[] bytes) {
        return new ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(1, len));
            }
        };
    }

    @Test
    void aCharacterCutByAReadIsNeverSplitAcrossChunks() throws IOException {
        String text = "héllo wörld ✓ 日本語 🔥\n";
        List<String> chunks = new ArrayList<>();
        Utf8Chunks.pump(trickle(text.getBytes(StandardCharsets.UTF_8)), 16, chunks::add);
        assertThat(String.join("", chunks)).as("every character arrives whole").isEqualTo(text);
        assertThat(chunks).as("no chunk holds a replacement character").noneMatch(chunk -> chunk.contains("\uFFFD"));
    }

    @Test
    void chunksAreBoundedByTheChunkSize() throws IOException {
        byte[] big = "x".repeat(100_000).getBytes(StandardCharsets.UTF_8);
        List<String> chunks = new ArrayList<>();
        Utf8Chunks.pump(new ByteArrayInputStream(big), 8192, chunks::add);
        assertThat(chunks).as("chunks").allMatch(chunk -> chunk.length() <= 8192);
        assertThat(String.join("", chunks)).hasSize(100_000);
    }

    @Test
    void malformedBytesBecomeReplacementCharacters() throws IOException {
        List<String> chunks = new ArrayList<>();
        Utf8Chunks.pump(new ByteArrayInputStream(new byte[] {'a', (byte) 0xff, 'b'}), 16, chunks::add);
        assertThat(String.join("", chunks)).isEqualTo("a\uFFFDb");
    }
}
