package dev.hearth.gateway.storage;

import org.reactivestreams.Publisher;

import io.netty.buffer.ByteBuf;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A storage device holding the objects the Open Runtimes API names by path: function sources ({@code source}) and
 * build artifacts ({@code destination}). Two devices implement it: {@link LocalStorage} (a directory, the embedded
 * default) and {@link S3Storage} (a bucket on any S3-compatible endpoint).
 *
 * <p><b>Paths</b> are named as Appwrite sends them ({@code /storage/builds/app-p1/x.gz}) and mapped onto the device
 * by {@link StoragePaths}: the leading {@code /} is dropped, the rest is a path under the device's root (a
 * directory, or a bucket and optional key prefix). A path that would leave the device fails with
 * {@link PathOutsideStorageException}.
 *
 * <p><b>Laziness and threading</b>: both operations are cold; nothing touches the device until subscription, and
 * each subscription is one read or one write (subscribe once). Neither blocks the subscribing thread: file I/O runs
 * on {@code boundedElastic}, S3 calls on the SDK's own event loop. Signals may arrive on any of those threads.
 *
 * <p><b>Failures</b> are typed, and mapped to the API's error body once, in {@code ExecutorError}:
 * {@link ObjectNotFoundException} (no object at the path), {@link PathOutsideStorageException} (the path leaves the
 * device), {@link StorageUnavailableException} (the device did not answer, or answered with a failure of its own).
 * Every failure names the device by {@link #describe()}, never a credential.
 */
public interface Storage {

    /**
     * The object at {@code path}, streamed as the device delivers it and never held whole: demand is passed on to
     * the device (a slow subscriber slows the read down). The subscriber owns and releases every buffer. Cancelling
     * stops the read and closes what it opened.
     */
    Flux<ByteBuf> read(String path);

    /**
     * The object at {@code path} in one buffer when it is at most {@code maxBytes} long, empty when it is longer
     * (then {@link #read} streams it); fails as {@link #read} does. For sources small enough to be read while a
     * creation claims its pod. The subscriber owns the buffer.
     */
    Mono<ByteBuf> readWhole(String path, int maxBytes);

    /**
     * Stores {@code content} at {@code path}, replacing what was there, and emits what was stored. {@code content}
     * is subscribed once (not at all when the path is refused) and each buffer it emits is released by this device.
     * The object appears whole or not at all: on any error of the content or the device, and on cancellation, the
     * write leaves nothing behind (no partial file, no pending multipart upload; a cancel that arrives after the
     * object was committed deletes it again). A failed write is never retried: the content cannot be read twice.
     */
    Mono<StoredObject> write(String path, Publisher<ByteBuf> content);

    /** The device as operators know it, for messages: {@code local directory /data}, {@code s3://bucket/prefix/ at …}. */
    String describe();
}
