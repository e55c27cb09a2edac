package dev.hearth.gateway.runtime;

import org.springframework.stereotype.Component;

import dev.hearth.gateway.storage.Storage;
import io.netty.buffer.ByteBuf;
import reactor.core.publisher.Flux;

/** A runtime's source archive, streamed from the storage device. */
@Component
public class RuntimeSources {

    private final Storage storage;

    public RuntimeSources(Storage storage) {
        this.storage = storage;
    }

    /**
     * The source archive, streamed lazily from storage, or no code at all when none is given. Fails on
     * subscription as {@link Storage#read} does: no such object, a path leaving the device, the device failing.
     */
    public Flux<ByteBuf> read(String source) {
        return source == null || source.isEmpty() ? Flux.empty() : storage.read(source);
    }
}
