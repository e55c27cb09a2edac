package dev.hearth.runner;

import java.io.ByteArrayOutputStream;

import dev.hearth.runner.protocol.ExecutionEnd;
import dev.hearth.runner.protocol.ExecutionHead;
import dev.hearth.runner.protocol.Frame;
import dev.hearth.runner.protocol.ProtocolJson;

/**
 * A test-side, copying frame parser fed chunk by chunk, independent of the production decoder so that runner
 * tests check the wire format itself. Counts body bytes and keeps them only when asked to.
 */
final class FrameParser {

    private final boolean keepBody;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private final byte[] header = new byte[Frame.HEADER_LENGTH];
    private int headerFill;
    private long payloadLeft;
    private byte type;
    private ByteArrayOutputStream json;
    long bodyBytes;
    int frames;
    ExecutionHead head;
    ExecutionEnd end;
    /** Frame types in order, BODY runs collapsed, e.g. "HBE". */
    final StringBuilder order = new StringBuilder();

    FrameParser(boolean keepBody) {
        this.keepBody = keepBody;
    }

    void feed(byte[] chunk) {
        int i = 0;
        while (i < chunk.length) {
            if (headerFill < Frame.HEADER_LENGTH) {
                header[headerFill++] = chunk[i++];
                if (headerFill == Frame.HEADER_LENGTH) {
                    startFrame();
                }
                continue;
            }
            int take = (int) Math.min(payloadLeft, chunk.length - i);
            if (type == Frame.BODY) {
                bodyBytes += take;
                if (keepBody) {
                    body.write(chunk, i, take);
                }
            } else {
                json.write(chunk, i, take);
            }
            i += take;
            payloadLeft -= take;
            if (payloadLeft == 0) {
                finishFrame();
            }
        }
    }

    private void startFrame() {
        type = header[0];
        payloadLeft = ((header[1] & 0xffL) << 24) | ((header[2] & 0xff) << 16) | ((header[3] & 0xff) << 8)
                | (header[4] & 0xff);
        json = new ByteArrayOutputStream();
        if (type != Frame.BODY && type != Frame.HEAD && type != Frame.END) {
            throw new IllegalStateException("bad frame type " + type);
        }
        if (order.length() == 0 || order.charAt(order.length() - 1) != (char) type || type != Frame.BODY) {
            order.append((char) type);
        }
        if (payloadLeft == 0) {
            finishFrame();
        }
    }

    private void finishFrame() {
        frames++;
        headerFill = 0;
        if (type == Frame.HEAD) {
            head = ProtocolJson.fromBytes(json.toByteArray(), ExecutionHead.class);
        } else if (type == Frame.END) {
            end = ProtocolJson.fromBytes(json.toByteArray(), ExecutionEnd.class);
        }
    }

    boolean complete() {
        return headerFill == 0 && end != null;
    }

    byte[] body() {
        return body.toByteArray();
    }
}
