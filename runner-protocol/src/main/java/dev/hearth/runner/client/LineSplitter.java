package dev.hearth.runner.client;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.util.ByteProcessor;

/**
 * Splits a byte stream into UTF-8 lines on {@code \n}. Works on bytes, so a multi-byte character split
 * across network chunks is decoded whole. Not thread-safe; one per stream.
 */
final class LineSplitter {

    private final CompositeByteBuf pending;
    private final int maxLineBytes;

    LineSplitter(ByteBufAllocator alloc, int maxLineBytes) {
        this.pending = alloc.compositeBuffer(Integer.MAX_VALUE);
        this.maxLineBytes = maxLineBytes;
    }

    /** Adds a chunk (taking ownership) and returns the complete lines it ends. */
    List<String> split(ByteBuf chunk) {
        pending.addComponent(true, chunk);
        List<String> lines = new ArrayList<>();
        int newline;
        while ((newline = pending.forEachByte(ByteProcessor.FIND_LF)) >= 0) {
            int length = newline - pending.readerIndex();
            lines.add(pending.toString(pending.readerIndex(), length, StandardCharsets.UTF_8));
            pending.readerIndex(newline + 1);
        }
        if (pending.readableBytes() > maxLineBytes) {
            throw new IllegalStateException("line longer than " + maxLineBytes + " bytes");
        }
        pending.discardReadComponents();
        return lines;
    }

    void release() {
        if (pending.refCnt() > 0) {
            pending.release();
        }
    }
}
