package dev.hearth.runner.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;

/** Writes frames. Stateless; the body payload is wrapped, not copied. */
public final class FrameEncoder {

    private FrameEncoder() {
    }

    public static ByteBuf head(ByteBufAllocator alloc, ExecutionHead head) {
        return json(alloc, Frame.HEAD, ExecutionJson.write(head));
    }

    public static ByteBuf end(ByteBufAllocator alloc, ExecutionEnd end) {
        return json(alloc, Frame.END, ExecutionJson.write(end));
    }

    /** Frames a body chunk, taking ownership of {@code chunk}. */
    public static ByteBuf body(ByteBufAllocator alloc, ByteBuf chunk) {
        ByteBuf header = alloc.buffer(Frame.HEADER_LENGTH)
                .writeByte(Frame.BODY)
                .writeInt(chunk.readableBytes());
        CompositeByteBuf frame = alloc.compositeBuffer(2);
        frame.addComponents(true, header, chunk);
        return frame;
    }

    private static ByteBuf json(ByteBufAllocator alloc, byte type, byte[] json) {
        return alloc.buffer(Frame.HEADER_LENGTH + json.length)
                .writeByte(type)
                .writeInt(json.length)
                .writeBytes(json);
    }
}
