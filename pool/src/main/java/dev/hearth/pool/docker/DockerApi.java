package dev.hearth.pool.docker;

import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The one adapter over docker-java, whose calls block. Every call is lazy and runs on
 * {@link Schedulers#boundedElastic()}, never on the caller's event loop. Two clients: one for requests, each bounded
 * by the request timeout, and one for long-lived responses (the event stream, waiting for a container to exit) with
 * no read timeout. Thread-safe.
 *
 * <p>Failure policy: no retries. The Engine is on this host; a failed creation is retried by its pool with backoff,
 * a failed removal is repeated by the next start's sweep.
 */
public final class DockerApi implements AutoCloseable {

    private final String host;
    private final DockerClient requests;
    private final DockerClient streams;

    private DockerApi(String host, DockerClient requests, DockerClient streams) {
        this.host = host;
        this.requests = requests;
        this.streams = streams;
    }

    /** Clients for the Engine at {@code host} ({@code unix:///var/run/docker.sock}); connects on the first call. */
    public static DockerApi connect(String host, Duration requestTimeout) {
        return new DockerApi(host, client(host, requestTimeout), client(host, null));
    }

    private static DockerClient client(String host, Duration responseTimeout) {
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(host)
                .withDockerTlsVerify(false)
                .build();
        ZerodepDockerHttpClient.Builder http = new ZerodepDockerHttpClient.Builder()
                .dockerHost(URI.create(host))
                .maxConnections(64)
                .connectionTimeout(Duration.ofSeconds(5));
        if (responseTimeout != null) {
            http.responseTimeout(responseTimeout);
        }
        return DockerClientImpl.getInstance(config, http.build());
    }

    /** Completes when the Engine answers; errors saying which Engine did not. */
    public Mono<Void> ping() {
        return call(() -> requests.pingCmd().exec())
                .onErrorMap(e -> new IllegalStateException("no Docker Engine answers at " + host + ": " + e, e));
    }

    /** Creates the container and answers its id. */
    public Mono<String> createContainer(ContainerSpec spec) {
        return call(() -> {
            CreateContainerCmd create = requests.createContainerCmd(spec.image())
                    .withName(spec.name())
                    .withUser(spec.user())
                    .withEnv(spec.env())
                    .withLabels(spec.labels())
                    .withHostConfig(spec.hostConfig());
            if (!spec.entrypoint().isEmpty()) {
                create.withEntrypoint(spec.entrypoint());
            }
            if (!spec.command().isEmpty()) {
                create.withCmd(spec.command());
            }
            return create.exec().getId();
        });
    }

    /** Starts the container; one already running counts as started. */
    public Mono<Void> startContainer(String id) {
        return call(() -> {
            try {
                requests.startContainerCmd(id).exec();
            } catch (NotModifiedException alreadyStarted) {
                // Started already: the outcome asked for.
            }
            return null;
        });
    }

    /** Kills and removes the container with its anonymous volumes; a container that is gone, or going, counts as removed. */
    public Mono<Void> removeContainer(String nameOrId) {
        return call(() -> {
            try {
                requests.removeContainerCmd(nameOrId).withForce(true).withRemoveVolumes(true).exec();
            } catch (NotFoundException gone) {
                // Idempotent: nothing to remove.
            } catch (ConflictException e) {
                if (!String.valueOf(e.getMessage()).contains("already in progress")) {
                    throw e;
                }
            }
            return null;
        });
    }

    /** Every container, running or not, carrying all of {@code labels}. */
    public Mono<List<Container>> listContainers(Map<String, String> labels) {
        return call(() -> requests.listContainersCmd().withShowAll(true).withLabelFilter(labels).exec());
    }

    /** The container, or empty when it does not exist. */
    public Mono<InspectContainerResponse> inspectContainer(String nameOrId) {
        return call(() -> {
            try {
                return requests.inspectContainerCmd(nameOrId).exec();
            } catch (NotFoundException gone) {
                return null;
            }
        });
    }

    /** The last {@code lines} lines of the container's output (stdout and stderr), for error messages. */
    public Mono<String> logs(String nameOrId, int lines) {
        return call(() -> {
            StringBuilder text = new StringBuilder();
            requests.logContainerCmd(nameOrId).withStdOut(true).withStdErr(true).withTail(lines)
                    .exec(new ResultCallback.Adapter<Frame>() {
                        @Override
                        public void onNext(Frame frame) {
                            text.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                        }
                    })
                    .awaitCompletion(10, TimeUnit.SECONDS);
            return text.toString().strip();
        });
    }

    /** Waits up to {@code timeout} for the container to exit and answers its exit code. */
    public Mono<Integer> waitContainer(String id, Duration timeout) {
        return call(() -> streams.waitContainerCmd(id).exec(new WaitContainerResultCallback())
                .awaitStatusCode(timeout.toMillis(), TimeUnit.MILLISECONDS));
    }

    /** Creates the volume, or finds it if it exists. */
    public Mono<Void> createVolume(String name, Map<String, String> labels) {
        return call(() -> requests.createVolumeCmd().withName(name).withLabels(labels).exec()).then();
    }

    /** The image's working directory ({@code WORKDIR}), empty when it has none; errors when the image is missing. */
    public Mono<String> imageWorkingDir(String image) {
        return call(() -> {
            var config = requests.inspectImageCmd(image).exec().getConfig();
            return config == null || config.getWorkingDir() == null ? "" : config.getWorkingDir();
        });
    }

    /** Whether the Engine has {@code image} (nothing is ever pulled). */
    public Mono<Boolean> imageExists(String image) {
        return call(() -> {
            try {
                requests.inspectImageCmd(image).exec();
                return true;
            } catch (NotFoundException missing) {
                return false;
            }
        });
    }

    /**
     * The Engine's container events for containers carrying all of {@code labels}: first {@link ContainerEvent#CONNECTED}
     * once the stream is open, then one per event. Cold: each subscription opens its own stream, closed on cancel.
     * Completes or errors when the connection ends; resubscribing opens a new one.
     */
    public Flux<ContainerEvent> events(Map<String, String> labels) {
        return Flux.<ContainerEvent>create(sink -> {
            ResultCallback.Adapter<Event> callback = new ResultCallback.Adapter<>() {
                @Override
                public void onStart(Closeable stream) {
                    super.onStart(stream);
                    sink.next(new ContainerEvent(ContainerEvent.CONNECTED, "", Map.of()));
                }

                @Override
                public void onNext(Event event) {
                    Map<String, String> attributes = event.getActor() == null || event.getActor().getAttributes() == null
                            ? Map.of() : event.getActor().getAttributes();
                    sink.next(new ContainerEvent(String.valueOf(event.getAction()), String.valueOf(event.getId()),
                            attributes));
                }

                @Override
                public void onError(Throwable error) {
                    sink.error(error);
                    closeQuietly(this);
                }

                @Override
                public void onComplete() {
                    sink.complete();
                    closeQuietly(this);
                }
            };
            sink.onDispose(() -> closeQuietly(callback));
            streams.eventsCmd()
                    .withEventTypeFilter(EventType.CONTAINER)
                    .withLabelFilter(labels)
                    .exec(callback);
        }).subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public void close() {
        closeQuietly(requests);
        closeQuietly(streams);
    }

    /**
     * One container event: its {@code action} ({@code die}, {@code destroy}, ...), container id and attributes (its
     * labels among them), or {@link #CONNECTED} when a stream opens.
     */
    public record ContainerEvent(String action, String containerId, Map<String, String> attributes) {
        public static final String CONNECTED = "hearth:connected";
    }

    private static <T> Mono<T> call(Callable<T> blocking) {
        return Mono.fromCallable(blocking).subscribeOn(Schedulers.boundedElastic());
    }

    private static void closeQuietly(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException | RuntimeException e) {
            // Closing what is already broken.
        }
    }
}
