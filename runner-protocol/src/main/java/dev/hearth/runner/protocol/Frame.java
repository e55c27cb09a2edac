package dev.hearth.runner.protocol;

import io.netty.buffer.ByteBuf;

/**
 * One frame of an execute response: {@code type (1 byte) | length (4 bytes, big-endian) | payload}.
 * {@link #HEAD} and {@link #END} payloads are JSON ({@link ExecutionHead}, {@link ExecutionEnd}); {@link #BODY}
 * payloads are raw body bytes. A response is exactly one HEAD, any number of BODY, then one END.
 *
 * <p>The payload is a reference-counted buffer: whoever receives a frame releases it once.
 */
public record Frame(byte type, ByteBuf payload) {

    public static final byte HEAD = 'H';
    public static final byte BODY = 'B';
    public static final byte END = 'E';

    /** Bytes before each payload. */
    public static final int HEADER_LENGTH = 5;
    /** Largest payload a decoder accepts; the END frame carries up to 2 × 5 MiB of logs plus JSON escaping. */
    public static final int MAX_PAYLOAD = 32 * 1024 * 1024;
}
