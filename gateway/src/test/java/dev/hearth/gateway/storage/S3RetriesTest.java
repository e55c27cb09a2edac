package dev.hearth.gateway.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.hearth.runner.testing.Buffers;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Which S3 calls are sent again: against a scripted endpoint that answers each GET with the next status of a list,
 * every PUT with 503, and counts what it received.
 */
class S3RetriesTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static final ConcurrentLinkedDeque<Integer> getStatuses = new ConcurrentLinkedDeque<>();
    private static final AtomicInteger gets = new AtomicInteger();
    private static final AtomicInteger puts = new AtomicInteger();
    private static DisposableServer server;
    /** One device for the class: an SDK client takes seconds to start and to close. Two read retries. */
    private static S3Storage storage;

    @BeforeAll
    static void endpoint() {
        server = HttpServer.create().host("127.0.0.1").port(0).handle(S3RetriesTest::answer).bindNow();
        storage = S3Storage.create(new S3Settings(URI.create("http://127.0.0.1:" + server.port()), "us-east-1", "b",
                "", true, "k", "s", S3Settings.MIN_PART_SIZE, 2, Duration.ofSeconds(2), Duration.ofSeconds(10)));
    }

    @AfterAll
    static void stop() {
        storage.close();
        server.disposeNow();
    }

    @BeforeEach
    void reset() {
        getStatuses.clear();
        gets.set(0);
        puts.set(0);
    }

    @Test
    void aReadFailingWith5xxBeforeItsFirstByteIsSentAgain() {
        getStatuses.addAll(List.of(503, 500, 200));

        assertThat(readText()).as("body after two 5xx").isEqualTo("hello");
        assertThat(gets).as("GETs received").hasValue(3);
    }

    @Test
    void aReadIsSentAgainAtMostReadRetriesTimes() {
        getStatuses.addAll(List.of(503, 503, 503, 503, 200));

        assertThat(StorageContract.catchError(storage.read("/storage/x.gz")))
                .isInstanceOf(StorageUnavailableException.class).hasMessageContaining("503");
        assertThat(gets).as("GETs received").hasValue(3);
    }

    @Test
    void aMissingObjectIsNotAskedForAgain() {
        getStatuses.add(404);

        assertThat(StorageContract.catchError(storage.read("/storage/x.gz")))
                .isInstanceOf(ObjectNotFoundException.class);
        assertThat(gets).as("GETs received").hasValue(1);
    }

    @Test
    void aWriteIsNeverSentAgain() {
        assertThat(StorageContract.catchError(storage.write("/storage/x.gz", StorageContract.text("x"))))
                .isInstanceOf(StorageUnavailableException.class).hasMessageContaining("to write");
        assertThat(puts).as("PUTs received").hasValue(1);
    }

    @Test
    void connectErrorsAndServerErrorsAreRetryableClientErrorsAreNot() {
        assertThat(S3Failures.retryable(SdkClientException.create("refused", new ConnectException("refused"))))
                .as("connect error").isTrue();
        assertThat(S3Failures.retryable(SdkClientException.create("no credentials"))).as("no credentials").isFalse();
        assertThat(S3Failures.retryable(new IllegalStateException("bug"))).as("a bug").isFalse();
    }

    private static String readText() {
        return Buffers.text(storage.read("/storage/x.gz")).block(WAIT);
    }

    private static Mono<Void> answer(HttpServerRequest request, HttpServerResponse response) {
        if (request.method().equals(HttpMethod.GET)) {
            gets.incrementAndGet();
            Integer status = getStatuses.poll();
            return status == null || status != 200 ? error(response, status == null ? 500 : status)
                    : response.header("Content-Type", "application/octet-stream").sendString(Mono.just("hello")).then();
        }
        puts.incrementAndGet();
        return request.receive().then(error(response, 503));
    }

    private static Mono<Void> error(HttpServerResponse response, int status) {
        String code = status == 404 ? "NoSuchKey" : status == 503 ? "SlowDown" : "InternalError";
        return response.status(HttpResponseStatus.valueOf(status))
                .header("Content-Type", "application/xml")
                .sendString(Mono.just("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code
                        + "</Code><Message>scripted " + status + "</Message></Error>"))
                .then();
    }
}
