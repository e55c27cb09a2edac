package dev.hearth.gateway.runtime;

import org.springframework.stereotype.Component;

import dev.hearth.gateway.api.error.ErrorType;
import dev.hearth.gateway.api.error.ExecutorException;
import dev.hearth.gateway.api.params.CreateRuntimeParams;
import dev.hearth.gateway.source.LocalStorage;
import dev.hearth.pool.runtime.RuntimeSpec;
import io.netty.buffer.ByteBuf;
import reactor.core.publisher.Flux;

/** Turns create-runtime parameters into what the pool needs: a spec and the source archive's stream. */
@Component
public class RuntimeSources {

    private final LocalStorage storage;

    public RuntimeSources(LocalStorage storage) {
        this.storage = storage;
    }

    /**
     * The spec of a runtime. Builds ({@code command}) are not supported yet; a build request is refused
     * with a clear error rather than run as a plain runtime.
     */
    public static RuntimeSpec spec(CreateRuntimeParams params) {
        if (params.command() != null && !params.command().isEmpty()) {
            throw new ExecutorException(ErrorType.BUILD_FAILED,
                    "Builds (the 'command' parameter) are not supported by this executor yet.");
        }
        return new RuntimeSpec(params.runtimeId(), params.image(), params.version(), params.entrypoint(),
                params.runtimeEntrypoint(), params.variables());
    }

    /**
     * The source archive, streamed lazily from storage, or no code at all when none is given. A path
     * outside the storage root fails on subscription with a 400.
     */
    public Flux<ByteBuf> read(String source) {
        return source == null || source.isEmpty() ? Flux.empty() : storage.read(source);
    }
}
