package dev.hearth.gateway.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.netty.buffer.Unpooled;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

class S3PartsTest {

    private static final int PART = 1024 * 1024;

    @Test
    void fullPartsAreCutAsTheyFillThenTheRestIsTheLastPart() {
        List<S3Part> parts = S3Parts.of(Content.of(2L * PART + PART / 2).flux(), PART).collectList().block();

        assertThat(parts).extracting(S3Part::number).as("numbers").containsExactly(1, 2, 3);
        assertThat(parts).extracting(S3Part::size).as("sizes").containsExactly(PART, PART, PART / 2);
        assertThat(parts).extracting(S3Part::last).as("last flags").containsExactly(false, false, true);
        parts.forEach(S3Part::release);
    }

    @Test
    void aChunkLargerThanAPartIsCutAcrossPartsAndReleased() {
        var chunk = Unpooled.wrappedBuffer(new byte[2 * PART + 10]);

        List<S3Part> parts = S3Parts.of(Flux.just(chunk), PART).collectList().block();

        assertThat(parts).extracting(S3Part::size).as("sizes").containsExactly(PART, PART, 10);
        assertThat(chunk.refCnt()).as("chunk released").isZero();
        parts.forEach(S3Part::release);
    }

    @Test
    void contentOfWholePartsEndsWithAnEmptyLastPartAndNoContentIsOneEmptyPart() {
        List<S3Part> whole = S3Parts.of(Content.of(2L * PART).flux(), PART).collectList().block();
        List<S3Part> none = S3Parts.of(Flux.empty(), PART).collectList().block();

        assertThat(whole).extracting(S3Part::size).as("sizes of whole parts").containsExactly(PART, PART, 0);
        assertThat(none).extracting(S3Part::size, S3Part::last).as("no content").containsExactly(
                org.assertj.core.groups.Tuple.tuple(0, true));
    }

    /** What Javadoc and README promise: one part being sent, one filling, and the chunk being copied. */
    @Test
    void atMostTwoPartsAreHeldWhileOneIsSent() {
        Content content = Content.large(12L * PART);
        AtomicLong sent = new AtomicLong();
        AtomicLong mostHeld = new AtomicLong();

        S3Parts.of(content.flux().doOnNext(chunk -> mostHeld.accumulateAndGet(content.pulled() - sent.get(), Math::max)),
                        PART)
                // As S3Upload sends: a part is released as its request ends, before the end pulls the next one.
                .concatMap(part -> Mono.delay(Duration.ofMillis(20))
                        .doOnTerminate(() -> {
                            sent.addAndGet(part.size());
                            part.release();
                        }), 0)
                .blockLast(Duration.ofSeconds(60));

        assertThat(sent.get()).as("bytes sent").isEqualTo(content.size());
        assertThat(mostHeld.get()).as("most bytes pulled but not yet sent").isLessThanOrEqualTo(2L * PART + Content.CHUNK);
    }

    @Test
    void aCancelReleasesThePartBeingFilledAndTheContent() {
        Content content = Content.of(3L * PART);

        S3Parts.of(content.flux(), PART).take(1).doOnNext(S3Part::release).blockLast();

        assertThat(content.allReleased()).as("content released").isTrue();
    }
}
