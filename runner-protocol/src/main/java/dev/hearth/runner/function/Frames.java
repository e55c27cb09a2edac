package dev.hearth.runner.function;

import java.util.List;
import java.util.Map;

import dev.hearth.runner.protocol.ExecutionEnd;
import dev.hearth.runner.protocol.ExecutionHead;
import dev.hearth.runner.protocol.FrameEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;

/** Encoding helpers shared by the adapters. */
public final class Frames {

    public static final String TIMED_OUT = "Execution timed out.";

    private Frames() {
    }

    public static ByteBuf head(ByteBufAllocator alloc, int status, Map<String, List<String>> headers) {
        return FrameEncoder.head(alloc, new ExecutionHead(status, headers));
    }

    public static ByteBuf end(ByteBufAllocator alloc, ExecutionEnd end) {
        return FrameEncoder.end(alloc, end);
    }

    /** Frames a body chunk (taking ownership). */
    public static ByteBuf body(ByteBufAllocator alloc, ByteBuf chunk) {
        return FrameEncoder.body(alloc, chunk);
    }

    /** One buffer of two frames, so they are written (and flushed) together. Takes ownership of both. */
    public static ByteBuf concat(ByteBufAllocator alloc, ByteBuf first, ByteBuf second) {
        CompositeByteBuf both = alloc.compositeBuffer(2);
        both.addComponents(true, first, second);
        return both;
    }

    /** Appends the timeout note to an errors text, on its own line. */
    public static String withTimeoutNote(String errors) {
        if (errors.isEmpty() || errors.endsWith("\n")) {
            return errors + TIMED_OUT;
        }
        return errors + "\n" + TIMED_OUT;
    }
}
