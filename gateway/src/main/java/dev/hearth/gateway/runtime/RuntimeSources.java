package dev.hearth.gateway.runtime;

import org.springframework.stereotype.Component;

import org.reactivestreams.Publisher;

import dev.hearth.gateway.storage.Storage;
import dev.hearth.pool.runtime.SourceArchive;
import io.netty.buffer.ByteBuf;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A runtime's source archive, read from the storage device. */
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

    /**
     * The source archive as a creation reads it: whole while the pod is claimed when it is small, else streamed
     * ({@link SourceArchive}); {@link SourceArchive#NONE} when no code is given. Fails as {@link #read} does.
     */
    public SourceArchive archive(String source) {
        if (source == null || source.isEmpty()) {
            return SourceArchive.NONE;
        }
        return new SourceArchive() {
            @Override
            public Mono<ByteBuf> whole(int maxBytes) {
                return storage.readWhole(source, maxBytes);
            }

            @Override
            public Publisher<ByteBuf> stream() {
                return storage.read(source);
            }
        };
    }
}
