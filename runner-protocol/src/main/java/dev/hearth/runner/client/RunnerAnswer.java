package dev.hearth.runner.client;

import java.util.List;
import java.util.function.Consumer;

import dev.hearth.runner.protocol.ExecutionJson;
import dev.hearth.runner.protocol.Frame;
import dev.hearth.runner.protocol.FrameDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * A runner's answer to an execute call as it is read: its head's status, its frames turned into
 * {@link ExecutionEvent}s, or a refusal's body kept for its message; and, at its last part, whether it is whole and
 * whether its connection may serve another call. Not thread-safe: one per call, read on the connection's loop.
 */
final class RunnerAnswer {

    /** How much of a refusal's body is kept for its message. */
    private static final int MAX_REFUSAL_BYTES = 64 * 1024;

    /** The status: 0 before the head, then 200 (frames follow) or a refusal. */
    private int status;
    private boolean keepAlive;
    private FrameDecoder decoder;
    private ByteBuf refusal;
    private boolean endFrame;

    /**
     * Reads one part of the answer (the caller keeps ownership of {@code part}); the events its frames complete go to
     * {@code events}, which takes ownership of each. Answers true at the answer's last part.
     *
     * @throws RuntimeException when the answer is not valid HTTP or not valid framing (frames not handed on are
     *                          released)
     */
    boolean read(HttpObject part, Consumer<ExecutionEvent> events) {
        if (part.decoderResult().isFailure()) {
            Throwable cause = part.decoderResult().cause();
            throw new TruncatedExecutionException("runner answer is not valid HTTP: " + cause, cause);
        }
        if (part instanceof HttpResponse response) {
            head(response);
        }
        if (!(part instanceof HttpContent content) || status == 0) {
            return false;
        }
        content(content.content(), events);
        return part instanceof LastHttpContent;
    }

    /** Started: the head has come (the connection closing now cuts an answer, not a call). */
    boolean started() {
        return status != 0;
    }

    /** At the last part: a refusal, or frames that ended with END on a frame's boundary. */
    boolean whole() {
        return refusal != null || (endFrame && decoder.atFrameBoundary());
    }

    /** At the last part: whether the runner keeps the connection open for another call. */
    boolean keepAlive() {
        return keepAlive;
    }

    /** At the last part: how the call fails, or null when the answer is whole and good. */
    RuntimeException failure() {
        if (refusal != null) {
            return RunnerResponses.callException(status, ByteBufUtil.getBytes(refusal));
        }
        return whole() ? null
                : new TruncatedExecutionException("runner response ended without its END frame (pod or connection lost)");
    }

    /** Frees what is buffered; once, when the call ends. */
    void release() {
        if (decoder != null) {
            decoder.release();
        }
        if (refusal != null) {
            refusal.release();
            refusal = null;
        }
    }

    private void head(HttpResponse response) {
        if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            return;
        }
        status = response.status().code();
        keepAlive = HttpUtil.isKeepAlive(response);
        if (status == 200) {
            decoder = new FrameDecoder(ByteBufAllocator.DEFAULT);
        } else {
            refusal = ByteBufAllocator.DEFAULT.heapBuffer();
        }
    }

    private void content(ByteBuf content, Consumer<ExecutionEvent> events) {
        if (!content.isReadable()) {
            return;
        }
        if (refusal != null) {
            refusal.writeBytes(content, Math.min(content.readableBytes(), MAX_REFUSAL_BYTES - refusal.readableBytes()));
            return;
        }
        List<Frame> frames = decoder.decode(content.retain());
        for (int i = 0; i < frames.size(); i++) {
            try {
                ExecutionEvent event = event(frames.get(i));
                endFrame |= event instanceof ExecutionEvent.End;
                events.accept(event);
            } catch (RuntimeException invalid) {
                // A head or end that is not JSON: the frames after it are released here, the call fails.
                for (int after = i + 1; after < frames.size(); after++) {
                    frames.get(after).payload().release();
                }
                throw invalid;
            }
        }
    }

    private static ExecutionEvent event(Frame frame) {
        if (frame.type() == Frame.BODY) {
            return new ExecutionEvent.Body(frame.payload());
        }
        try {
            byte[] json = ByteBufUtil.getBytes(frame.payload());
            return frame.type() == Frame.HEAD
                    ? new ExecutionEvent.Head(ExecutionJson.readHead(json))
                    : new ExecutionEvent.End(ExecutionJson.readEnd(json));
        } finally {
            frame.payload().release();
        }
    }
}
