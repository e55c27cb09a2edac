package dev.hearth.gateway.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadResponse;

/**
 * One write of {@link S3Storage}. An object smaller than a part is one {@code PutObject}; a larger one a multipart
 * upload, created with its first full part, its parts sent one at a time, completed at the end.
 *
 * <p>Nothing is left behind: after an error the multipart upload (if any) is aborted; after a cancel too, and
 * when the request that makes the object appear ({@code PutObject} or {@code CompleteMultipartUpload}, the
 * <em>commit</em>) was already sent, its answer is awaited and a stored object deleted again. Requests are started
 * under this object's lock and the end is marked under it, so none starts after a cancel was seen; the creation
 * and the commit ignore the caller's cancel, so their answers are never lost.
 */
final class S3Upload {

    private static final Logger log = LoggerFactory.getLogger(S3Upload.class);

    private final S3AsyncClient client;
    private final String bucket;
    private final String key;
    private final String path;
    private final List<CompletedPart> sent = new ArrayList<>();
    private long size;
    private CompletableFuture<String> uploadId;
    private CompletableFuture<?> commit;
    private boolean ended;

    S3Upload(S3AsyncClient client, String bucket, String key, String path) {
        this.client = client;
        this.bucket = bucket;
        this.key = key;
        this.path = path;
    }

    /**
     * Sends {@code parts}, one at a time, and commits the object once they are all sent. Each part's request starts
     * on {@code boundedElastic}: the content may arrive on an event loop, and the SDK may block while it resolves
     * credentials (the default chain's first call to a metadata service or STS).
     */
    Mono<StoredObject> send(Flux<S3Part> parts) {
        // Prefetch 0: the next part is pulled once the previous one is sent, so one fills while one uploads.
        return parts.concatMap(part -> Mono.defer(() -> sendPart(part)).subscribeOn(Schedulers.boundedElastic()), 0)
                .then(Mono.defer(this::complete))
                .doOnDiscard(S3Part.class, S3Part::release);
    }

    /** After an error: abort the multipart upload, if one was created. Never fails. */
    Mono<Void> aborted() {
        return Mono.defer(() -> {
            CompletableFuture<String> created = end().uploadId;
            return created == null ? Mono.<Void>empty() : abort(created);
        });
    }

    /** After a cancel: as {@link #aborted()}, and an object that a commit in flight stored is deleted. */
    Mono<Void> cancelled() {
        return Mono.defer(() -> {
            CompletableFuture<?> committing = end().commit;
            if (committing == null) {
                return aborted();
            }
            return Mono.fromFuture(committing, true)
                    .then(Mono.fromFuture(() -> client.deleteObject(b -> b.bucket(bucket).key(key))))
                    .doOnSuccess(deleted -> log.info("A write of '{}' was cancelled after its commit: deleted", path))
                    .then()
                    .onErrorResume(e -> aborted());
        });
    }

    private Mono<Void> sendPart(S3Part part) {
        if (part.last() && uploadId == null) {
            return put(part);
        }
        if (part.last() && part.size() == 0) {
            return Mono.empty();
        }
        return upload().flatMap(id -> uploadPart(id, part));
    }

    private Mono<Void> put(S3Part part) {
        size = part.size();
        return Mono.fromFuture(() -> start(() -> commit = client.putObject(
                        b -> b.bucket(bucket).key(key).contentLength((long) part.size()),
                        part.body())), true)
                .transform(sent -> releasing(sent, part))
                .then();
    }

    /** The multipart upload's id; it is created by the first call. */
    private Mono<String> upload() {
        return Mono.fromFuture(createdUpload(), true);
    }

    private synchronized CompletableFuture<String> createdUpload() {
        if (uploadId == null) {
            uploadId = start(() -> client.createMultipartUpload(b -> b.bucket(bucket).key(key))
                    .thenApply(CreateMultipartUploadResponse::uploadId));
        }
        return uploadId;
    }

    private Mono<Void> uploadPart(String id, S3Part part) {
        return Mono.fromFuture(() -> start(() -> client.uploadPart(
                        b -> b.bucket(bucket).key(key).uploadId(id).partNumber(part.number())
                                .contentLength((long) part.size()),
                        part.body())))
                .doOnNext(response -> sent.add(CompletedPart.builder()
                        .partNumber(part.number())
                        .eTag(response.eTag())
                        .build()))
                .doOnNext(response -> size += part.size())
                .transform(sent -> releasing(sent, part))
                .then();
    }

    /**
     * Releases {@code part} as its request ends, before the end is signalled: the signal pulls the next part, so a
     * release after it (doFinally) would briefly hold three parts instead of two.
     */
    private static <T> Mono<T> releasing(Mono<T> request, S3Part part) {
        return request.doOnTerminate(part::release).doOnCancel(part::release);
    }

    private Mono<StoredObject> complete() {
        if (uploadId == null) {
            return Mono.just(new StoredObject(path, size));
        }
        return upload()
                .flatMap(id -> Mono.fromFuture(() -> start(() -> commit = client.completeMultipartUpload(
                        b -> b.bucket(bucket).key(key).uploadId(id).multipartUpload(m -> m.parts(sent)))), true))
                .thenReturn(new StoredObject(path, size));
    }

    private Mono<Void> abort(CompletableFuture<String> created) {
        return Mono.fromFuture(created, true)
                // A creation that failed (or never started) left nothing to abort.
                .onErrorResume(e -> Mono.empty())
                .flatMap(id -> Mono.fromFuture(() -> client.abortMultipartUpload(
                        b -> b.bucket(bucket).key(key).uploadId(id))))
                .then()
                .onErrorResume(e -> {
                    log.warn("Aborting the multipart upload of '{}' failed; a bucket lifecycle rule must remove it: {}",
                            path, e.toString());
                    return Mono.empty();
                });
    }

    /** Starts a request unless the write ended: after a cancel or an error, nothing new reaches S3. */
    private synchronized <T> CompletableFuture<T> start(Supplier<CompletableFuture<T>> request) {
        return ended ? CompletableFuture.failedFuture(new CancellationException("the write of '" + path + "' ended"))
                : request.get();
    }

    private synchronized S3Upload end() {
        ended = true;
        return this;
    }
}
