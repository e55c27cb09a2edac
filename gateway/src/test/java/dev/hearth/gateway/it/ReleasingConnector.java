package dev.hearth.gateway.it;

import java.net.URI;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ClientHttpResponse;
import org.springframework.http.client.reactive.ClientHttpResponseDecorator;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The tests' {@code WebTestClient} connector: Reactor Netty's, releasing every response buffer whoever reads the
 * body, or nobody.
 *
 * <p>Why: a {@code WebTestClient} call that asserts only the status ({@code .expectStatus().isCreated()}) never
 * subscribes to the body, so its buffers wait in Reactor Netty's inbound queue and are dropped with it, unreleased;
 * and a body Spring's {@code WiretapConnector} reads for {@code getResponseBodyContent()} is copied but not released
 * (spring-framework#36050). The leak guard counted about a hundred of these per gateway run. So each buffer is
 * copied to the heap and its pooled original released as it is read, and after each test {@link ReadUnread} reads
 * and releases every body no one subscribed to.
 */
final class ReleasingConnector implements ClientHttpConnector {

    private static final Queue<CopiedBody> RESPONSES = new ConcurrentLinkedQueue<>();

    private final ClientHttpConnector delegate = new ReactorClientHttpConnector();

    @Override
    public Mono<ClientHttpResponse> connect(HttpMethod method, URI uri,
            Function<? super ClientHttpRequest, Mono<Void>> requestCallback) {
        return delegate.connect(method, uri, requestCallback).map(response -> {
            CopiedBody copied = new CopiedBody(response);
            RESPONSES.add(copied);
            return copied;
        });
    }

    /** Releases what the bodies of the responses since the last call hold, unless a test subscribed to them. */
    static void releaseUnread() {
        for (CopiedBody response; (response = RESPONSES.poll()) != null; ) {
            response.releaseIfUnread();
        }
    }

    /** Registered for every gateway test class (META-INF/services), after each test. */
    public static final class ReadUnread implements AfterEachCallback {

        @Override
        public void afterEach(ExtensionContext context) {
            releaseUnread();
        }
    }

    private static final class CopiedBody extends ClientHttpResponseDecorator {

        private final AtomicBoolean subscribed = new AtomicBoolean();

        CopiedBody(ClientHttpResponse response) {
            super(response);
        }

        @Override
        public Flux<DataBuffer> getBody() {
            return Flux.defer(() -> {
                subscribed.set(true);
                return super.getBody().map(CopiedBody::copy);
            });
        }

        /** Reads in the background: a body still arriving is released as it arrives, and no test waits for it. */
        void releaseIfUnread() {
            if (subscribed.compareAndSet(false, true)) {
                getDelegate().getBody().subscribe(DataBufferUtils::release, error -> { });
            }
        }

        private static DataBuffer copy(DataBuffer pooled) {
            try {
                byte[] bytes = new byte[pooled.readableByteCount()];
                pooled.read(bytes);
                return DefaultDataBufferFactory.sharedInstance.wrap(bytes);
            } finally {
                DataBufferUtils.release(pooled);
            }
        }
    }
}
