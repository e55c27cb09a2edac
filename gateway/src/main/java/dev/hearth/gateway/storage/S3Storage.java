package dev.hearth.gateway.storage;

import java.time.Duration;

import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.async.ResponsePublisher;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * The S3 storage device: objects live in one bucket of any S3-compatible endpoint, under the key
 * {@code keyPrefix + relative path} ({@link StoragePaths}). Calls go through the SDK's async client on its Netty
 * event loop; nothing here blocks, and requests start on {@code boundedElastic} because the SDK itself may block
 * once, resolving credentials from the default chain.
 *
 * <p><b>Reads</b> stream {@code GetObject}'s body as the SDK delivers it, each of its buffers wrapped, not copied,
 * with demand passed on. A read that fails before its first byte because the endpoint could not be reached or
 * answered 5xx is sent again, up to {@code readRetries} times with a backoff from 100 ms; once bytes flowed, a
 * failure ends the read.
 *
 * <p><b>Writes</b> ({@link S3Upload}) are one {@code PutObject} for an object smaller than a part, else a multipart
 * upload of {@code partSize} parts sent one at a time. Memory per write: at most two parts (the one being sent and
 * the next one filling), 2 × {@code partSize} (16 MiB with the default 8 MiB), plus the content buffer being
 * copied. A write is never retried, and on error or cancel its multipart upload is aborted.
 */
public final class S3Storage implements Storage, AutoCloseable {

    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);

    private final S3AsyncClient client;
    private final S3Settings settings;
    private final String description;

    /** A device over {@code client}, which it closes on {@link #close()}. */
    public S3Storage(S3AsyncClient client, S3Settings settings) {
        this.client = client;
        this.settings = settings;
        this.description = settings.describe();
    }

    /** A device with a client of its own, built from {@code settings}. */
    public static S3Storage create(S3Settings settings) {
        return new S3Storage(S3Clients.create(settings), settings);
    }

    @Override
    public Flux<ByteBuf> read(String path) {
        return object(path)
                .flatMapMany(body -> Flux.from(body)
                        .map(Unpooled::wrappedBuffer)
                        .onErrorMap(e -> S3Failures.read(description, path, e)))
                .doOnDiscard(ByteBuf.class, ReferenceCountUtil::safeRelease);
    }

    /**
     * One {@code GetObject}: its body collected when its Content-Length is at most {@code maxBytes}, cancelled (and
     * the connection let go) when it is longer; then {@link #read} asks again and streams.
     */
    @Override
    public Mono<ByteBuf> readWhole(String path, int maxBytes) {
        return object(path)
                .flatMap(body -> {
                    Long length = body.response().contentLength();
                    if (length == null || length > maxBytes) {
                        body.subscribe(new BaseSubscriber<>() {
                            @Override
                            protected void hookOnSubscribe(Subscription subscription) {
                                subscription.cancel();
                            }
                        });
                        return Mono.empty();
                    }
                    // Copied once, into a heap buffer of the announced size (nothing pooled to leak on a failure).
                    return Flux.from(body)
                            .collect(() -> Unpooled.buffer(length.intValue()), ByteBuf::writeBytes)
                            .onErrorMap(e -> S3Failures.read(description, path, e));
                });
    }

    @Override
    public Mono<StoredObject> write(String path, Publisher<ByteBuf> content) {
        return Mono.fromCallable(() -> key(path))
                .flatMap(key -> Mono.usingWhen(
                        Mono.fromSupplier(() -> new S3Upload(client, settings.bucket(), key, path)),
                        upload -> upload.send(S3Parts.of(content, settings.partSize())),
                        upload -> Mono.empty(),
                        (upload, error) -> upload.aborted(),
                        S3Upload::cancelled))
                .onErrorMap(e -> S3Failures.write(description, path, e));
    }

    @Override
    public String describe() {
        return description;
    }

    /** The bucket's key of {@code path}. */
    public String key(String path) {
        return settings.keyPrefix() + StoragePaths.relative(path, description);
    }

    @Override
    public void close() {
        client.close();
    }

    @Override
    public String toString() {
        return "S3Storage[" + settings + "]";
    }

    /** {@code GetObject} of {@code path}'s key, answered (its body not read yet), retried as the class says. */
    private Mono<ResponsePublisher<GetObjectResponse>> object(String path) {
        return Mono.fromCallable(() -> key(path))
                .flatMap(key -> getObject(key).retryWhen(readRetries()))
                .onErrorMap(e -> S3Failures.read(description, path, e));
    }

    /**
     * The object's response and body publisher: the SDK answers once the headers arrived, before any byte. The
     * request starts on {@code boundedElastic}, since the SDK may block resolving credentials (see {@link S3Clients}).
     */
    private Mono<ResponsePublisher<GetObjectResponse>> getObject(String key) {
        return Mono.fromFuture(() -> client.getObject(b -> b.bucket(settings.bucket()).key(key),
                        AsyncResponseTransformer.toPublisher()))
                .subscribeOn(Schedulers.boundedElastic());
    }

    private Retry readRetries() {
        return Retry.backoff(settings.readRetries(), FIRST_BACKOFF)
                .filter(S3Failures::retryable)
                .onRetryExhaustedThrow((spec, signal) -> signal.failure());
    }
}
