package dev.hearth.pool.kubernetes.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import dev.hearth.runner.testing.docker.LocalImages;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import okhttp3.OkHttpClient;

/**
 * A Kubernetes API without a cluster, for integration tests: the fabric8 mock API server in CRUD mode,
 * behind a front server that bridges watches and injects faults, with a simulated kubelet running real
 * runners — as local processes, or with {@code builder().containers()} as the pods' containers on a Docker Engine —
 * and a simulated Job controller. Start with {@code KubernetesHarness.builder().build()}; close
 * to stop everything, runners and containers included — or register it as a JUnit extension
 * ({@code @RegisterExtension static final KubernetesHarness harness = ...}), which closes it after the class.
 */
public final class KubernetesHarness implements AutoCloseable, AfterAllCallback {

    /** Held strongly: JUL forgets the level of a logger nobody references. */
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    static {
        quietLogs();
    }

    private final String namespace;
    private final int runnerPort;
    private final Path workRoot;
    private final Faults faults;
    private final KubernetesMockServer mock;
    private final ApiFrontServer front;
    private final SimulatedKubelet kubelet;
    private final SimulatedJobController jobs;

    private KubernetesHarness(Builder builder) {
        this.namespace = builder.namespace;
        this.faults = builder.faults;
        this.runnerPort = freePort();
        try {
            this.workRoot = Files.createTempDirectory("hearth-k8s-harness");
            this.mock = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                    new KubernetesMixedDispatcher(new HashMap<>()), false);
            mock.init(InetAddress.getByName("127.0.0.1"), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.front = new ApiFrontServer("127.0.0.1", mock.getPort(), faults);
        this.kubelet = new SimulatedKubelet(internalClient(Duration.ofSeconds(10)), internalClient(Duration.ZERO),
                namespace, workRoot, faults, builder.containers ? LocalImages.requireEngine() : null);
        this.jobs = new SimulatedJobController(internalClient(Duration.ofSeconds(10)), internalClient(Duration.ZERO),
                namespace);
    }

    public static Builder builder() {
        return new Builder();
    }

    public String namespace() {
        return namespace;
    }

    /** The port every pod's runner listens on (each on its own 127.0.0.N). */
    public int runnerPort() {
        return runnerPort;
    }

    public Faults faults() {
        return faults;
    }

    public SimulatedKubelet kubelet() {
        return kubelet;
    }

    /** A client for the code under test: 10 s read timeout, subject to API faults. */
    public ApiClient apiClient() {
        return client(Duration.ofSeconds(10), false);
    }

    /** A client for watches of the code under test: read timeout 0. */
    public ApiClient watchClient() {
        return client(Duration.ZERO, false);
    }

    /** Every kind of API call the code under test made so far, as RBAC sees it (all were allowed). */
    public java.util.Set<ApiAccess> observedAccess() {
        return front.observedAccess();
    }

    /** A client for the test's own assertions and setup: never faulted, never refused by RBAC. */
    public ApiClient apiClientForAssertions() {
        return internalClient(Duration.ofSeconds(10));
    }

    /** The core API for the test's own assertions and setup; never faulted. */
    public CoreV1Api core() {
        return new CoreV1Api(internalClient(Duration.ofSeconds(10)));
    }

    /** The batch API for the test's own assertions; never faulted. */
    public BatchV1Api batch() {
        return new BatchV1Api(internalClient(Duration.ofSeconds(10)));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        jobs.close();
        kubelet.close();
        // The mock first: it closes the watches' WebSockets itself, which never blocks it (see ApiFrontServer).
        mock.destroy();
        front.close();
        deleteTree(workRoot);
    }

    private ApiClient internalClient(Duration readTimeout) {
        return client(readTimeout, true);
    }

    private ApiClient client(Duration readTimeout, boolean internal) {
        OkHttpClient http = new OkHttpClient.Builder()
                .readTimeout(readTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .connectTimeout(5, TimeUnit.SECONDS)
                .build();
        ApiClient client = new ApiClient(http).setBasePath(front.url());
        if (internal) {
            client.addDefaultHeader(ApiFrontServer.INTERNAL_HEADER, "true");
        }
        return client;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // best effort: a temp directory
        }
    }

    private static void quietLogs() {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
        if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context) {
            context.getLogger("ROOT").setLevel(Level.INFO);
            context.getLogger("io.kubernetes.client.informer").setLevel(Level.OFF);
            Stream.of("io.netty", "reactor.netty", "io.vertx", "okhttp3", "io.fabric8", "io.kubernetes",
                    "dev.hearth.runner").forEach(name -> context.getLogger(name).setLevel(Level.WARN));
        }
    }

    public static final class Builder {
        private String namespace = "hearth";
        private final Faults faults = new Faults();
        private boolean containers;

        public Builder namespace(String value) {
            this.namespace = value;
            return this;
        }

        public Builder apiFailureRate(double rate) {
            faults.apiFailureRate(rate);
            return this;
        }

        public Builder startDelay(Duration delay) {
            faults.startDelay(delay);
            return this;
        }

        /**
         * Container mode: the kubelet runs each pod's spec as Docker containers on the engine {@code DOCKER_HOST}
         * names ({@link SimulatedKubelet}); building fails, naming what to run, when no engine answers. The pods'
         * images must exist on the engine: nothing is pulled.
         */
        public Builder containers() {
            this.containers = true;
            return this;
        }

        public KubernetesHarness build() {
            return new KubernetesHarness(this);
        }
    }
}
