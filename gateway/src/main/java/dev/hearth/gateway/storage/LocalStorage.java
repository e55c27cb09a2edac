package dev.hearth.gateway.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import org.reactivestreams.Publisher;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.ByteBufFlux;

/**
 * The local storage device (embedded default): objects are files under a root directory, a path's relative form
 * ({@link StoragePaths}) resolved under it. Besides {@code ..}, which every device refuses, a symbolic link whose
 * target leaves the root is refused, for reading and for writing into a directory behind it.
 *
 * <p>All file I/O runs on {@code boundedElastic}. A read streams the file in chunks as demand arrives, never whole.
 * A write goes to a hidden temporary file next to the target ({@code .<name>.<random>.part}) and is moved into
 * place atomically once the content completed, so readers see the old object or the new one, never a part;
 * directories the write needed are created and stay.
 */
public final class LocalStorage implements Storage {

    /** Content buffers a write may hold while its thread writes the previous one. */
    private static final int WRITE_PREFETCH = 4;

    private final Path root;
    private final String description;

    /** A device over {@code root}, created if missing. */
    public LocalStorage(Path root) {
        try {
            this.root = Files.createDirectories(root.toAbsolutePath().normalize()).toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create storage root " + root, e);
        }
        this.description = "local directory " + this.root;
    }

    /** The root directory, a real path. */
    public Path root() {
        return root;
    }

    @Override
    public Flux<ByteBuf> read(String path) {
        return Flux.defer(() -> ByteBufFlux.fromPath(existingFile(path)))
                .onErrorMap(IOException.class, e -> readFailure(path, e))
                .subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public Mono<ByteBuf> readWhole(String path, int maxBytes) {
        return Mono.fromCallable(() -> {
                    Path file = existingFile(path);
                    if (Files.size(file) > maxBytes) {
                        return null;
                    }
                    byte[] content = Files.readAllBytes(file);
                    // Replaced by a larger object since its size was read: stream that one instead.
                    return content.length > maxBytes ? null : Unpooled.wrappedBuffer(content);
                })
                .onErrorMap(IOException.class, e -> readFailure(path, e))
                .subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public Mono<StoredObject> write(String path, Publisher<ByteBuf> content) {
        return Mono.usingWhen(
                        Mono.fromCallable(() -> LocalUpload.open(description, path, target(path)))
                                .subscribeOn(Schedulers.boundedElastic()),
                        upload -> Flux.from(content)
                                .publishOn(Schedulers.boundedElastic(), WRITE_PREFETCH)
                                // handle, not doOnNext: append releases the chunk, and then() would discard
                                // (release) every element passed on to it a second time.
                                .<ByteBuf>handle((chunk, sink) -> upload.append(chunk))
                                // Completion arrives on the publishOn worker: the commit's file I/O stays off loops.
                                .then(Mono.fromCallable(upload::commit)),
                        upload -> Mono.empty(),
                        (upload, error) -> upload.discarded(),
                        LocalUpload::cancelled)
                .doOnDiscard(ByteBuf.class, ReferenceCountUtil::safeRelease);
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public String toString() {
        return "LocalStorage[" + root + "]";
    }

    /** The real path of the file at {@code path}, inside the root; blocking (file system). */
    private Path existingFile(String path) {
        Path candidate = root.resolve(StoragePaths.relative(path, description));
        Path real;
        try {
            real = candidate.toRealPath();
        } catch (IOException e) {
            throw readFailure(path, e);
        }
        if (!real.startsWith(root)) {
            throw new PathOutsideStorageException(description, path, "a symbolic link leads out of the root");
        }
        if (!Files.isRegularFile(real)) {
            throw new ObjectNotFoundException(description, path);
        }
        return real;
    }

    /**
     * Where {@code path} is written; its directory is created. The deepest existing ancestor must lie inside the
     * root once links are followed, so that no write lands outside through a linked directory. Blocking.
     */
    private Path target(String path) {
        Path target = root.resolve(StoragePaths.relative(path, description));
        try {
            Path existing = target.getParent();
            while (!Files.exists(existing)) {
                existing = existing.getParent();
            }
            if (!existing.toRealPath().startsWith(root)) {
                throw new PathOutsideStorageException(description, path, "a symbolic link leads out of the root");
            }
            Files.createDirectories(target.getParent());
            return target;
        } catch (IOException e) {
            throw new StorageUnavailableException(description, path, "to write", e);
        }
    }

    private StorageException readFailure(String path, IOException e) {
        return e instanceof NoSuchFileException ? new ObjectNotFoundException(description, path)
                : new StorageUnavailableException(description, path, "to read", e);
    }
}
