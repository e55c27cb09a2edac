package dev.hearth.pool.runtime;

import java.util.Objects;
import java.util.function.Supplier;

import org.reactivestreams.Publisher;

import io.netty.buffer.ByteBuf;

/**
 * What it takes to create a runtime that does not exist yet: its spec and its source archive. The source is
 * a supplier of a cold publisher, read only if a creation really starts (a request that finds the runtime
 * ready, or joins another's creation, never opens it).
 */
public record RuntimeCreation(RuntimeSpec spec, Supplier<Publisher<ByteBuf>> source) {

    public RuntimeCreation {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(source, "source");
    }
}
