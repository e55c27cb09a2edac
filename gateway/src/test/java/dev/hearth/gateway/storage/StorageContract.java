package dev.hearth.gateway.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.hearth.gateway.api.error.ErrorType;
import dev.hearth.gateway.api.error.ExecutorError;
import dev.hearth.runner.testing.Buffers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * What every {@link Storage} guarantees. Each device's test extends this class and says how to look at the device
 * behind its back: whether an object exists, and what a write left besides objects.
 */
abstract class StorageContract {

    /** Generous: two cores shared with other builds. */
    static final Duration WAIT = Duration.ofSeconds(60);

    protected abstract Storage storage();

    /** A size that spans more than two of the device's write parts. */
    protected abstract long severalParts();

    /** Whether the device holds an object at {@code path}, asked behind the device's back. */
    protected abstract boolean exists(String path);

    /** What writes left on the device besides objects: temporary files, pending multipart uploads. */
    protected abstract List<String> leftovers();

    /** A fresh path as Appwrite names them. */
    static String path(String name) {
        return "/storage/builds/app-" + UUID.randomUUID() + "/" + name;
    }

    @Test
    void anObjectOfSeveralPartsRoundTripsByteForByte() {
        Content content = Content.of(severalParts());
        String path = path("code.tar.gz");

        StoredObject stored = storage().write(path, content.flux()).block(WAIT);

        assertThat(stored).as("what was stored").isEqualTo(new StoredObject(path, content.size()));
        assertThat(content.allReleased()).as("every content buffer released").isTrue();
        long[] read = Content.crcOf(storage().read(path)).block(WAIT);
        assertThat(read[1]).as("size read back").isEqualTo(content.size());
        assertThat(read[0]).as("checksum read back").isEqualTo(content.crc());
    }

    @Test
    void anEmptyObjectRoundTrips() {
        String path = path("empty.gz");

        assertThat(storage().write(path, Flux.empty()).block(WAIT)).isEqualTo(new StoredObject(path, 0));

        assertThat(exists(path)).as("empty object exists").isTrue();
        assertThat(Content.crcOf(storage().read(path)).block(WAIT)[1]).as("bytes read").isZero();
    }

    @Test
    void aWriteReplacesTheObjectAtItsPath() {
        String path = path("x.gz");
        storage().write(path, text("first version")).block(WAIT);
        storage().write(path, text("second")).block(WAIT);

        assertThat(readText(path)).as("object after the second write").isEqualTo("second");
    }

    @Test
    void theLeadingSlashAndEmptyOrDotSegmentsDoNotMatter() {
        String id = UUID.randomUUID().toString();
        storage().write("/storage//functions/./" + id + "/code.tar.gz", text("code")).block(WAIT);

        assertThat(readText("storage/functions/" + id + "/code.tar.gz")).as("same object, relative path").isEqualTo("code");
    }

    @Test
    void aMissingObjectIsNotFoundNamingTheDeviceAnd500GeneralUnknown() {
        String path = path("missing.tar.gz");

        Throwable error = catchError(storage().read(path));

        assertThat(error).as("read of a missing object").isInstanceOf(ObjectNotFoundException.class)
                .hasMessageContaining(path).hasMessageContaining(storage().describe());
        ExecutorError mapped = ExecutorError.from(error);
        assertThat(mapped.type()).as("mapped type").isEqualTo(ErrorType.GENERAL_UNKNOWN);
        assertThat(mapped.code()).as("mapped status").isEqualTo(500);
    }

    @Test
    void anObjectUpToTheLimitIsReadWholeAndALargerOneIsLeftToTheStream() {
        String small = path("small.tar.gz");
        String large = path("large.tar.gz");
        storage().write(small, text("0123456789")).block(WAIT);
        storage().write(large, text("0123456789A")).block(WAIT);

        ByteBuf whole = storage().readWhole(small, 10).block(WAIT);
        try {
            assertThat(whole.toString(StandardCharsets.UTF_8)).as("an object of exactly the limit, whole")
                    .isEqualTo("0123456789");
        } finally {
            whole.release();
        }
        assertThat(storage().readWhole(large, 10).blockOptional(WAIT)).as("one byte over the limit").isEmpty();
        assertThat(readText(large)).as("the larger object, streamed after").isEqualTo("0123456789A");
    }

    @Test
    void aWholeReadFailsAsAStreamedOne() {
        String missing = path("missing.tar.gz");

        assertThat(catchError(storage().readWhole(missing, 1024))).as("whole read of a missing object")
                .isInstanceOf(ObjectNotFoundException.class).hasMessageContaining(missing);
        assertThat(catchError(storage().readWhole("../outside.tar.gz", 1024))).as("whole read leaving the device")
                .isInstanceOf(PathOutsideStorageException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"../outside.tar.gz", "/storage/../../etc/passwd", "storage/a/../b.gz", "", "/", "/./",
            "a\0b"})
    void pathsLeavingTheDeviceAreRefusedWithoutTouchingIt(String path) {
        AtomicBoolean subscribed = new AtomicBoolean();

        Throwable readError = catchError(storage().read(path));
        Throwable writeError = catchError(storage().write(path, text("x").doOnSubscribe(s -> subscribed.set(true))));

        assertThat(readError).as("read of '%s'", path).isInstanceOf(PathOutsideStorageException.class);
        assertThat(writeError).as("write of '%s'", path).isInstanceOf(PathOutsideStorageException.class);
        assertThat(subscribed).as("content of the refused write subscribed").isFalse();
        assertThat(ExecutorError.from(readError).code()).as("mapped status").isEqualTo(400);
    }

    @Test
    void readAndWriteDoNothingUntilSubscribed() {
        String path = path("lazy.gz");

        storage().read(path("missing.gz"));
        storage().write(path, text("never"));

        assertThat(exists(path)).as("object of an unsubscribed write").isFalse();
    }

    @Test
    void aReadDeliversOnlyWhatIsRequested() {
        String path = path("big.gz");
        storage().write(path, Content.of(severalParts()).flux()).block(WAIT);

        StepVerifier.create(storage().read(path), 1)
                .consumeNextWith(ByteBuf::release)
                .expectNoEvent(Duration.ofMillis(500))
                .thenRequest(1)
                .consumeNextWith(ByteBuf::release)
                .thenCancel()
                .verify(WAIT);
    }

    @Test
    void aWriteFailingMidStreamLeavesNothingAndFailsWithTheContentsError() {
        Content content = Content.of(severalParts());
        IllegalStateException cut = new IllegalStateException("the client went away");
        String path = path("cut.gz");

        Throwable error = catchError(storage().write(path, content.thenFailing(cut)));

        assertThat(error).as("the write's error").isSameAs(cut);
        assertThat(exists(path)).as("object of the failed write").isFalse();
        assertThat(leftovers()).as("left behind").isEmpty();
        assertThat(content.allReleased()).as("every content buffer released").isTrue();
    }

    @Test
    void aFailedWriteKeepsThePreviousObject() {
        String path = path("kept.gz");
        storage().write(path, text("good")).block(WAIT);

        catchError(storage().write(path, Content.of(severalParts()).thenFailing(new IllegalStateException("cut"))));

        assertThat(readText(path)).as("object after a failed replacement").isEqualTo("good");
    }

    @Test
    void aCancelledWriteLeavesNothing() {
        Content endless = Content.large(Long.MAX_VALUE);
        String path = path("cancelled.gz");

        Disposable write = storage().write(path, endless.flux()).subscribe(stored -> { }, error -> { });
        await("the write under way").atMost(WAIT).until(() -> endless.pulled() > severalParts() / 2);
        write.dispose();

        await("nothing left after the cancel").atMost(WAIT)
                .untilAsserted(() -> assertThat(leftovers()).as("left behind").isEmpty());
        assertThat(exists(path)).as("object of the cancelled write").isFalse();
    }

    static Flux<ByteBuf> text(String text) {
        return Flux.defer(() -> Flux.just(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8)));
    }

    String readText(String path) {
        return Buffers.text(storage().read(path)).block(WAIT);
    }

    static Throwable catchError(org.reactivestreams.Publisher<?> publisher) {
        try {
            Flux.from(publisher).doOnNext(StorageContract::release).blockLast(WAIT);
            return null;
        } catch (RuntimeException e) {
            return reactor.core.Exceptions.unwrap(e);
        }
    }

    private static void release(Object value) {
        if (value instanceof ByteBuf buffer) {
            buffer.release();
        }
    }
}
