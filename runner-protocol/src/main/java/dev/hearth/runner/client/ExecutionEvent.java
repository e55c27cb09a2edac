package dev.hearth.runner.client;

import dev.hearth.runner.protocol.ExecutionEnd;
import dev.hearth.runner.protocol.ExecutionHead;
import io.netty.buffer.ByteBuf;

/** What an execute call yields, in order: one {@link Head}, any {@link Body} chunks, one {@link End}. */
public sealed interface ExecutionEvent {

    record Head(ExecutionHead head) implements ExecutionEvent {
    }

    /** A chunk of the function's response body; the receiver releases it once. */
    record Body(ByteBuf chunk) implements ExecutionEvent {
    }

    record End(ExecutionEnd end) implements ExecutionEvent {
    }
}
