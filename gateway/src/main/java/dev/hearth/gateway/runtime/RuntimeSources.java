package dev.hearth.gateway.runtime;

import org.springframework.stereotype.Component;

import dev.hearth.gateway.source.LocalStorage;
import io.netty.buffer.ByteBuf;
import reactor.core.publisher.Flux;

/** A runtime's source archive, streamed from storage. */
@Component
public class RuntimeSources {

    private final LocalStorage storage;

    public RuntimeSources(LocalStorage storage) {
        this.storage = storage;
    }

    /**
     * The source archive, streamed lazily from storage, or no code at all when none is given. A path
     * outside the storage root fails on subscription with a 400.
     */
    public Flux<ByteBuf> read(String source) {
        return source == null || source.isEmpty() ? Flux.empty() : storage.read(source);
    }
}
