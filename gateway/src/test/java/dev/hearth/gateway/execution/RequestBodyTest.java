package dev.hearth.gateway.execution;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.NettyDataBufferFactory;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import reactor.test.StepVerifier;

/** {@link RequestBody} on an embedded event loop: what it hands over, what it holds back, what it releases. */
class RequestBodyTest {

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final AtomicInteger continues = new AtomicInteger();
    private final AtomicInteger readingChanges = new AtomicInteger();
    private final RequestBody body = new RequestBody(channel.eventLoop(),
            new NettyDataBufferFactory(ByteBufAllocator.DEFAULT), continues::incrementAndGet,
            readingChanges::incrementAndGet);

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    @Test
    void chunksThatCameBeforeTheReaderAreHandedOverInOrder() {
        body.offer(chunk("{\"a\":"));
        body.offer(chunk("1}"));
        body.end();

        StepVerifier.create(DataBufferUtils.join(body).map(joined -> {
            String text = joined.toString(StandardCharsets.UTF_8);
            DataBufferUtils.release(joined);
            return text;
        })).expectNext("{\"a\":1}").verifyComplete();
        assertThat(continues).as("100 Continue asked for once, when the reader came").hasValue(1);
    }

    @Test
    void pastTheHeldBytesWithoutAReaderItAsksForNoMore() {
        body.offer(chunk("x".repeat(RequestBody.HELD_BYTES + 1)));
        assertThat(body.wantsMore()).isFalse();

        StepVerifier.create(body, 1).consumeNextWith(DataBufferUtils::release).thenCancel().verify();
        assertThat(body.wantsMore()).as("with its reader there it reads on").isTrue();
    }

    @Test
    void anAbortedBodyReleasesWhatWaitsAndWhatStillComes() {
        ByteBuf waiting = chunk("waiting");
        body.offer(waiting);
        body.abort(new IllegalStateException("answered"));
        ByteBuf late = chunk("late");
        body.offer(late);

        assertThat(waiting.refCnt()).isZero();
        assertThat(late.refCnt()).isZero();
        // A reader that comes after the abort hears it too, instead of waiting for chunks that will never come.
        StepVerifier.create(body).expectErrorMessage("answered").verify(java.time.Duration.ofSeconds(5));
    }

    @Test
    void aReaderStillReadingWhenTheBodyIsAbortedIsToldWhy() {
        ByteBuf unread = chunk("part");
        StepVerifier.create(body, 0)
                .then(() -> body.offer(unread))
                .then(() -> body.abort(new IllegalStateException("the client closed the connection")))
                .expectErrorMessage("the client closed the connection")
                .verify();
        assertThat(unread.refCnt()).as("the chunk it never asked for, released").isZero();
    }

    private static ByteBuf chunk(String text) {
        return ByteBufAllocator.DEFAULT.buffer().writeBytes(text.getBytes(StandardCharsets.UTF_8));
    }
}
