package dev.hearth.runner.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

class FrameDecoderTest {

    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;

    private byte[] stream(String body) {
        ByteBuf all = Unpooled.buffer();
        ByteBuf head = FrameEncoder.head(alloc, new ExecutionHead(201, Map.of("x", List.of("1"))));
        ByteBuf chunk = FrameEncoder.body(alloc, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        ByteBuf empty = FrameEncoder.body(alloc, Unpooled.EMPTY_BUFFER);
        ByteBuf end = FrameEncoder.end(alloc, new ExecutionEnd("log", "err", false, 0, 1.5));
        for (ByteBuf part : List.of(head, chunk, empty, end)) {
            all.writeBytes(part);
            part.release();
        }
        return ByteBufUtil.getBytes(all);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 5, 7, 64, 100_000})
    void decodesTheSameFramesWhateverTheChunking(int chunkSize) {
        byte[] bytes = stream("hello, body");
        FrameDecoder decoder = new FrameDecoder(alloc);
        List<Frame> frames = new ArrayList<>();
        for (int at = 0; at < bytes.length; at += chunkSize) {
            int length = Math.min(chunkSize, bytes.length - at);
            frames.addAll(decoder.decode(Unpooled.copiedBuffer(bytes, at, length)));
        }
        assertThat(decoder.atFrameBoundary()).as("ends between frames").isTrue();
        StringBuilder body = new StringBuilder();
        ExecutionHead head = null;
        ExecutionEnd end = null;
        for (Frame frame : frames) {
            byte[] payload = ByteBufUtil.getBytes(frame.payload());
            frame.payload().release();
            switch (frame.type()) {
                case Frame.HEAD -> head = ProtocolJson.fromBytes(payload, ExecutionHead.class);
                case Frame.BODY -> body.append(new String(payload, StandardCharsets.UTF_8));
                case Frame.END -> end = ProtocolJson.fromBytes(payload, ExecutionEnd.class);
                default -> throw new AssertionError("unexpected frame type " + frame.type());
            }
        }
        decoder.release();
        assertThat(frames.get(0).type()).as("head first").isEqualTo(Frame.HEAD);
        assertThat(frames.get(frames.size() - 1).type()).as("end last").isEqualTo(Frame.END);
        assertThat(head.status()).isEqualTo(201);
        assertThat(head.headers()).containsEntry("x", List.of("1"));
        assertThat(body.toString()).isEqualTo("hello, body");
        assertThat(end.logs()).isEqualTo("log");
        assertThat(end.durationMs()).isEqualTo(1.5);
    }

    @Test
    void aStreamCutInsideAFrameIsNotAtABoundary() {
        byte[] bytes = stream("abc");
        FrameDecoder decoder = new FrameDecoder(alloc);
        decoder.decode(Unpooled.copiedBuffer(bytes, 0, bytes.length - 3)).forEach(frame -> frame.payload().release());
        assertThat(decoder.atFrameBoundary()).isFalse();
        decoder.release();
    }

    @Test
    void unknownFrameTypeIsRejected() {
        FrameDecoder decoder = new FrameDecoder(alloc);
        assertThatThrownBy(() -> decoder.decode(Unpooled.wrappedBuffer(new byte[] {'Z', 0, 0, 0, 0})))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("unknown frame type");
        decoder.release();
    }
}
