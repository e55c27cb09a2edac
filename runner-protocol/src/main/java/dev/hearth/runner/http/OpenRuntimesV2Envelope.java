package dev.hearth.runner.http;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import dev.hearth.runner.protocol.ProtocolJson;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The body of a v2 execution, {@code {"variables":{…},"payload":"…","headers":{}}} in upstream's field order, written
 * straight from the request body's bytes into one buffer: no copy of the payload on the heap. The payload must be
 * UTF-8 text (check first): its bytes are then copied as they are, only {@code "}, {@code \} and control characters
 * escaped, which keeps every multi-byte character whole (all their bytes are 0x80 and above).
 */
final class OpenRuntimesV2Envelope {

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SUFFIX = "\",\"headers\":{}}".getBytes(StandardCharsets.US_ASCII);

    private OpenRuntimesV2Envelope() {
    }

    /** The envelope; the caller owns the buffer returned and keeps {@code payload}. */
    static ByteBuf write(ByteBufAllocator alloc, Map<String, String> variables, ByteBuf payload) {
        byte[] prefix = ("{\"variables\":" + ProtocolJson.toJsonString(variables) + ",\"payload\":\"")
                .getBytes(StandardCharsets.UTF_8);
        ByteBuf out = alloc.buffer(prefix.length + payload.readableBytes() + payload.readableBytes() / 8
                + SUFFIX.length + 16);
        try {
            out.writeBytes(prefix);
            payload.forEachByte(value -> {
                escape(value, out);
                return true;
            });
            out.writeBytes(SUFFIX);
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    private static void escape(byte value, ByteBuf out) {
        switch (value) {
            case '"', '\\' -> out.writeByte('\\').writeByte(value);
            case '\n' -> out.writeByte('\\').writeByte('n');
            case '\r' -> out.writeByte('\\').writeByte('r');
            case '\t' -> out.writeByte('\\').writeByte('t');
            default -> {
                if (value >= 0 && value < 0x20) {
                    out.writeByte('\\').writeByte('u').writeByte('0').writeByte('0')
                            .writeByte(HEX[value >> 4]).writeByte(HEX[value & 0xF]);
                } else {
                    out.writeByte(value);
                }
            }
        }
    }
}
