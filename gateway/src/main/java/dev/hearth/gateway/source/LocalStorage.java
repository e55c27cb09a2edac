package dev.hearth.gateway.source;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.hearth.gateway.api.error.ErrorType;
import dev.hearth.gateway.api.error.ExecutorException;
import io.netty.buffer.ByteBuf;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import reactor.netty.ByteBufFlux;

/**
 * The local storage device (embedded default): {@code source} is a path inside the storage root. The file
 * streams in chunks on a bounded-elastic thread, never held whole, so a large archive costs no heap.
 */
public final class LocalStorage {

    private final Path root;

    public LocalStorage(Path root) {
        try {
            this.root = Files.createDirectories(root.toAbsolutePath().normalize()).toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create storage root " + root, e);
        }
    }

    public Path root() {
        return root;
    }

    /**
     * The archive at {@code source}, streamed lazily. Anything that resolves outside the root (absolute
     * paths elsewhere, {@code ..}, symbolic links leading out) is refused with a 400, as is a missing file.
     */
    public Flux<ByteBuf> read(String source) {
        return Flux.defer(() -> ByteBufFlux.fromPath(resolve(source)))
                .subscribeOn(Schedulers.boundedElastic());
    }

    /** The real path of {@code source} inside the root; blocking (file system), so call off event loops. */
    public Path resolve(String source) {
        Path relative = Path.of(source.startsWith("/") ? source.substring(1) : source);
        Path candidate = root.resolve(relative).normalize();
        if (!candidate.startsWith(root)) {
            throw outside(source);
        }
        if (!Files.isRegularFile(candidate)) {
            throw new ExecutorException(ErrorType.RUNTIME_FAILED, "Source '" + source + "' was not found in storage.");
        }
        try {
            Path real = candidate.toRealPath();
            if (!real.startsWith(root)) {
                throw outside(source);
            }
            return real;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ExecutorException outside(String source) {
        return new ExecutorException(ErrorType.EXECUTION_BAD_REQUEST,
                "Source '" + source + "' resolves outside the storage root.");
    }
}
