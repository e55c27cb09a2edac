package dev.hearth.runner.function;

import dev.hearth.runner.protocol.Adapter;
import io.netty.buffer.ByteBuf;
import reactor.core.publisher.Flux;

/**
 * How a specialized runner reaches its function: one implementation per {@link Adapter}.
 */
public interface FunctionAdapter {

    Adapter kind();

    /**
     * Runs one execution. Lazy: nothing happens until subscription. The flux emits the encoded frames of the
     * execute response (exactly one HEAD first, BODY frames, exactly one END last), each buffer owned by the
     * subscriber. Cancelling it ends the execution as a timeout would (the exec process tree is killed, the
     * proxied http request is cancelled). Never errors once the HEAD was emitted: failures end up in END.
     *
     * <p>A frame dropped on the way (cancel racing a chunk) is released by the subscriber's discard hook, not by the
     * adapter: Reactor Netty's {@code send} releases every reference-counted element discarded upstream of it, so an
     * adapter's own release hook would release it a second time (a freed buffer, or a buffer written after it was
     * freed, when the two race).
     */
    Flux<ByteBuf> execute(ExecutionCall call);

    /** Stops the function (kills a long-lived server). Blocking, idempotent. */
    void close();
}
