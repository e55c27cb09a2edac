package dev.hearth.gateway.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

import io.netty.buffer.ByteBuf;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * One write of {@link LocalStorage}: a temporary file next to the target, moved into place by {@link #commit()},
 * deleted by {@link #discard()}. Its methods block (file I/O) and are called off event loops; they are serialized
 * on this object, so a cancel arriving from another thread waits for the chunk being written and then wins or
 * loses cleanly against the commit: discarded before it, the object never appears; after it, it is deleted again.
 */
final class LocalUpload {

    private enum State { OPEN, COMMITTED, ENDED }

    private final String device;
    private final String path;
    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private long size;
    private State state = State.OPEN;

    private LocalUpload(String device, String path, Path target, Path temp, FileChannel channel) {
        this.device = device;
        this.path = path;
        this.target = target;
        this.temp = temp;
        this.channel = channel;
    }

    /** Creates the temporary file of a write of {@code path} to {@code target} (whose directory exists). */
    static LocalUpload open(String device, String path, Path target) {
        Path temp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".part");
        try {
            FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            return new LocalUpload(device, path, target, temp, channel);
        } catch (IOException e) {
            throw new StorageUnavailableException(device, path, "to write", e);
        }
    }

    /** Appends {@code chunk} and releases it, whatever happens. Ignored once the write ended. */
    synchronized void append(ByteBuf chunk) {
        try {
            if (state != State.OPEN) {
                return;
            }
            while (chunk.isReadable()) {
                size += chunk.readBytes(channel, chunk.readableBytes());
            }
        } catch (IOException e) {
            throw new StorageUnavailableException(device, path, "to write", e);
        } finally {
            chunk.release();
        }
    }

    /** Flushes the file and moves it into place atomically, replacing any object there. */
    synchronized StoredObject commit() {
        if (state != State.OPEN) {
            throw new IllegalStateException("the write of '" + path + "' ended before its commit");
        }
        try {
            channel.force(false);
            channel.close();
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            state = State.COMMITTED;
            return new StoredObject(path, size);
        } catch (IOException e) {
            throw new StorageUnavailableException(device, path, "to write", e);
        }
    }

    /** After an error: the temporary file goes (the object was never committed). */
    Mono<Void> discarded() {
        return Mono.fromRunnable(this::discard).subscribeOn(Schedulers.boundedElastic()).then();
    }

    /** After a cancel: the temporary file goes, and the object too if the commit came first. */
    Mono<Void> cancelled() {
        return Mono.fromRunnable(this::cancel).subscribeOn(Schedulers.boundedElastic()).then();
    }

    synchronized void discard() {
        if (state == State.OPEN) {
            state = State.ENDED;
            closeAndDelete(temp);
        }
    }

    private synchronized void cancel() {
        if (state == State.COMMITTED) {
            state = State.ENDED;
            closeAndDelete(target);
        }
        discard();
    }

    private void closeAndDelete(Path file) {
        try {
            channel.close();
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new StorageUnavailableException(device, path, "to clean up after a failed write of", e);
        }
    }
}
