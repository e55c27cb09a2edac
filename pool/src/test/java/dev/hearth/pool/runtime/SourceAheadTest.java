package dev.hearth.pool.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;

import dev.hearth.runner.protocol.RunnerProtocol;
import dev.hearth.runner.testing.Buffers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

class SourceAheadTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    /** An archive whose reads are counted: {@code whole} answers from {@code wholeRead}, the stream with "streamed". */
    private static final class CountedArchive implements SourceArchive {
        final AtomicInteger wholeReads = new AtomicInteger();
        final AtomicInteger streams = new AtomicInteger();
        final Mono<ByteBuf> wholeRead;
        int askedLimit;

        CountedArchive(Mono<ByteBuf> wholeRead) {
            this.wholeRead = wholeRead;
        }

        @Override
        public Mono<ByteBuf> whole(int maxBytes) {
            askedLimit = maxBytes;
            return wholeRead.doOnSubscribe(s -> wholeReads.incrementAndGet());
        }

        @Override
        public Publisher<ByteBuf> stream() {
            return Flux.defer(() -> {
                streams.incrementAndGet();
                return Flux.just(text("stre"), text("amed"));
            });
        }
    }

    private static ByteBuf text(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
    }

    /** What one send of the body writes; each buffer released, as the HTTP client does once written. */
    private static String send(Publisher<ByteBuf> body) {
        return Buffers.text(body).block(WAIT);
    }

    @Test
    void aSmallArchiveIsReadWholeAtTheStartAndSentWithTheHeadAsOneBuffer() {
        ByteBuf archive = text("tar.gz bytes");
        CountedArchive source = new CountedArchive(Mono.just(archive));

        SourceAhead ahead = SourceAhead.start(source);

        assertThat(source.wholeReads).as("read when the creation starts, before any body is asked for").hasValue(1);
        assertThat(source.askedLimit).as("the limit asked for").isEqualTo(RunnerProtocol.WHOLE_ARCHIVE_BYTES);
        Publisher<ByteBuf> body = ahead.body().block(WAIT);
        assertThat(body).as("a Mono: the HTTP client writes it with the head and a Content-Length")
                .isInstanceOf(Mono.class);
        assertThat(send(body)).isEqualTo("tar.gz bytes");
        assertThat(source.wholeReads).as("the read ran once").hasValue(1);
        assertThat(source.streams).as("nothing streamed").hasValue(0);
        ahead.release();
        assertThat(archive.refCnt()).as("the archive freed on release").isZero();
    }

    @Test
    void aResentBodySendsTheWholeArchiveAgain() {
        ByteBuf archive = text("resend me");
        SourceAhead ahead = SourceAhead.start(new CountedArchive(Mono.just(archive)));
        Publisher<ByteBuf> body = ahead.body().block(WAIT);

        assertThat(send(body)).as("first send").isEqualTo("resend me");
        assertThat(send(body)).as("a resend on another connection").isEqualTo("resend me");
        assertThat(archive.refCnt()).as("held until release, whatever the sends released").isEqualTo(1);

        ahead.release();
        ahead.release();
        assertThat(archive.refCnt()).as("released once").isZero();
        assertThatThrownBy(() -> send(body)).as("a send after release").hasMessageContaining("released");
    }

    @Test
    void anArchiveArrivingAfterTheCreationEndedIsFreed() {
        Sinks.One<ByteBuf> read = Sinks.one();
        SourceAhead ahead = SourceAhead.start(new CountedArchive(read.asMono()));

        ahead.release();
        ByteBuf late = text("late");
        read.tryEmitValue(late);

        assertThat(late.refCnt()).as("freed as it arrived").isZero();
    }

    @Test
    void theBodyWaitsForTheReadAndTheTimeItWentOnIsMeasuredFromTheCallsStart() {
        Sinks.One<ByteBuf> read = Sinks.one();
        SourceAhead ahead = SourceAhead.start(new CountedArchive(read.asMono()));
        long callStarted = System.nanoTime();
        Mono<Publisher<ByteBuf>> body = ahead.body().cache();
        body.subscribe();

        assertThat(ahead.readMillisAfter(callStarted)).as("nothing read yet").isZero();
        read.tryEmitValue(text("slow"));

        assertThat(send(body.block(WAIT))).isEqualTo("slow");
        assertThat(ahead.readMillisAfter(callStarted)).as("read after the call started").isPositive();
        assertThat(ahead.readMillisAfter(System.nanoTime())).as("read before a later start: no wait").isZero();
        ahead.release();
    }

    @Test
    void aLargerArchiveStreamsAsTheCallSendsIt() {
        CountedArchive source = new CountedArchive(Mono.empty());
        SourceAhead ahead = SourceAhead.start(source);
        long callStarted = System.nanoTime();

        Publisher<ByteBuf> body = ahead.body().block(WAIT);

        assertThat(source.streams).as("not streamed until sent").hasValue(0);
        assertThat(send(body)).isEqualTo("streamed");
        assertThat(source.streams).hasValue(1);
        assertThat(ahead.readMillisAfter(callStarted)).as("until the stream's last byte").isPositive();
        ahead.release();
    }

    @Test
    void aFailedReadFailsTheBody() {
        SourceAhead ahead = SourceAhead.start(new CountedArchive(Mono.error(new IllegalStateException("no such object"))));

        assertThatThrownBy(() -> ahead.body().block(WAIT)).hasMessageContaining("no such object");
        ahead.release();
    }

    @Test
    void noCodeIsAnEmptyWholeBody() {
        SourceAhead ahead = SourceAhead.start(SourceArchive.NONE);

        Publisher<ByteBuf> body = ahead.body().block(WAIT);

        assertThat(body).isInstanceOf(Mono.class);
        assertThat(send(body)).isEmpty();
        ahead.release();
    }
}
