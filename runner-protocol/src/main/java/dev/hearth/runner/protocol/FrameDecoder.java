package dev.hearth.runner.protocol;

import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Cuts a byte stream into {@link Frame}s. Not thread-safe: one decoder per response, fed in order
 * (Reactor guarantees serial signals).
 *
 * <p>BODY bytes are never copied or accumulated: each is passed on as a retained slice of the network
 * chunk it arrived in, so a BODY frame spanning several chunks is emitted as several BODY frames. Only
 * the 5-byte frame headers and the small JSON payloads of HEAD and END are gathered across chunks.
 */
public final class FrameDecoder {

    private enum State { HEADER, BODY, PAYLOAD }

    private final ByteBufAllocator alloc;
    private final ByteBuf header;
    private State state = State.HEADER;
    private byte type;
    private long remaining;
    private ByteBuf payload;

    public FrameDecoder(ByteBufAllocator alloc) {
        this.alloc = alloc;
        this.header = alloc.heapBuffer(Frame.HEADER_LENGTH, Frame.HEADER_LENGTH);
    }

    /**
     * Consumes a chunk (taking ownership) and returns the frames it completes, each to be released by the
     * caller.
     *
     * @throws IllegalStateException when the stream is not valid framing
     */
    public List<Frame> decode(ByteBuf chunk) {
        List<Frame> frames = new ArrayList<>(2);
        try {
            while (chunk.isReadable()) {
                switch (state) {
                    case HEADER -> readHeader(chunk, frames);
                    case BODY -> {
                        int take = (int) Math.min(remaining, chunk.readableBytes());
                        frames.add(new Frame(Frame.BODY, chunk.readRetainedSlice(take)));
                        remaining -= take;
                        if (remaining == 0) {
                            state = State.HEADER;
                        }
                    }
                    case PAYLOAD -> {
                        int take = (int) Math.min(remaining, chunk.readableBytes());
                        payload.writeBytes(chunk, take);
                        remaining -= take;
                        if (remaining == 0) {
                            completePayload(frames);
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            frames.forEach(frame -> frame.payload().release());
            throw e;
        } finally {
            chunk.release();
        }
        return frames;
    }

    /** True when no partial frame is buffered: a stream that ends now ended cleanly between frames. */
    public boolean atFrameBoundary() {
        return state == State.HEADER && !header.isReadable();
    }

    /** Frees what is buffered; call once when the stream ends, errors or is cancelled. */
    public void release() {
        if (header.refCnt() > 0) {
            header.release();
        }
        if (payload != null) {
            payload.release();
            payload = null;
        }
    }

    private void readHeader(ByteBuf chunk, List<Frame> frames) {
        header.writeBytes(chunk, Math.min(header.writableBytes(), chunk.readableBytes()));
        if (header.isWritable()) {
            return;
        }
        type = header.readByte();
        long length = header.readUnsignedInt();
        header.clear();
        checkHeader(type, length);
        remaining = length;
        if (type == Frame.BODY) {
            state = length == 0 ? State.HEADER : State.BODY;
            return;
        }
        payload = alloc.heapBuffer((int) length);
        state = State.PAYLOAD;
        if (length == 0) {
            completePayload(frames);
        }
    }

    private void completePayload(List<Frame> frames) {
        frames.add(new Frame(type, payload));
        payload = null;
        state = State.HEADER;
    }

    private static void checkHeader(byte type, long length) {
        if (type != Frame.HEAD && type != Frame.BODY && type != Frame.END) {
            throw new IllegalStateException("unknown frame type 0x" + Integer.toHexString(type & 0xff));
        }
        if (length > Frame.MAX_PAYLOAD) {
            throw new IllegalStateException("frame of " + length + " bytes exceeds " + Frame.MAX_PAYLOAD);
        }
    }
}
