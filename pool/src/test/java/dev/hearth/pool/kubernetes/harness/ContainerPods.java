package dev.hearth.pool.kubernetes.harness;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Event;
import dev.hearth.runner.RunnerConfig;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodStatus;
import io.kubernetes.client.openapi.models.V1SecretKeySelector;
import io.kubernetes.client.openapi.models.V1Volume;

/**
 * The simulated kubelet's container mode: each pod becomes Docker containers on the engine {@code DOCKER_HOST} names.
 * Init containers run one after the other to completion, then the main container; emptyDirs are host directories
 * (mode 0777, group {@code fsGroup}) bind-mounted into every container that mounts them; the readiness probe
 * ({@code httpGet}) is polled at its period on the pod's address. Containers share the host's network (there is no
 * bridge): the pod's address is its own {@code 127.0.0.N}, which the runner is told to bind through
 * {@code HEARTH_RUNNER_HOST} — the stand-in for a network namespace, where binding {@code 0.0.0.0} would do.
 *
 * <p>As a kubelet on cgroup v2 does ({@code memory.oom.group}), going over the memory limit anywhere in a container
 * ends the whole container at once; its status says {@code OOMKilled}. This engine's cgroups are v1, which kill one
 * process and leave the rest running: so the kernel's OOM killer is off in every limited container (the process over
 * the limit waits) and the engine's {@code oom} event has the harness kill the container. Every container carries the label {@link #HARNESS_LABEL} with this
 * harness's id; deleting a pod removes its containers and directories, {@link #close} removes all that remain.
 */
final class ContainerPods implements Closeable {

    /** Label on every container this harness made; its value is {@link #harnessId()}. */
    static final String HARNESS_LABEL = "dev.hearth.harness";
    static final String POD_LABEL = "dev.hearth.harness.pod";

    private static final Logger log = LoggerFactory.getLogger(ContainerPods.class);

    /** Writes a change of a pod's status back to the API server. */
    interface StatusWriter {
        void write(String pod, UnaryOperator<V1PodStatus> change);
    }

    private final DockerClient docker;
    private final String harnessId;
    private final Path workRoot;
    private final StatusWriter statuses;
    private final ExecutorService workers = Executors.newCachedThreadPool(daemon("container-kubelet"));
    private final ScheduledExecutorService probes = Executors.newSingleThreadScheduledExecutor(daemon("kubelet-probes"));
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final Map<String, PodRun> pods = new ConcurrentHashMap<>();
    /** The last state of each pod's runtime container that ended, kept after the pod is deleted. */
    private final Map<String, io.kubernetes.client.openapi.models.V1ContainerStateTerminated> terminations =
            new ConcurrentHashMap<>();
    private final Closeable oomEvents;

    ContainerPods(DockerClient docker, String harnessId, Path workRoot, StatusWriter statuses) {
        this.docker = docker;
        this.harnessId = harnessId;
        this.workRoot = workRoot;
        this.statuses = statuses;
        this.oomEvents = docker.eventsCmd()
                .withEventFilter("oom")
                .withLabelFilter(Map.of(HARNESS_LABEL, harnessId))
                .exec(new ResultCallback.Adapter<Event>() {
                    @Override
                    public void onNext(Event event) {
                        workers.execute(() -> killQuietly(event.getId()));
                    }
                });
    }

    String harnessId() {
        return harnessId;
    }

    boolean running(String pod) {
        PodRun run = pods.get(pod);
        return run != null && run.mainStarted;
    }

    int runningPods() {
        return (int) pods.values().stream().filter(run -> run.mainStarted).count();
    }

    /** Starts the pod's containers on a worker thread; {@code secrets} reads a secret key (null while missing). */
    void start(V1Pod pod, String ip, Function<V1SecretKeySelector, String> secrets) {
        PodRun run = new PodRun(pod, ip);
        if (pods.putIfAbsent(run.name, run) == null) {
            workers.execute(() -> run.start(secrets));
        }
    }

    /** How the pod's runtime container ended, as reported; null while it has not. Kept after the pod is deleted. */
    io.kubernetes.client.openapi.models.V1ContainerStateTerminated termination(String pod) {
        return terminations.get(pod);
    }

    /** Kills the pod's main container (SIGKILL), as an outside kill would; its status then says exit 137. */
    void crash(String pod) {
        PodRun run = pods.get(pod);
        if (run != null && run.mainId != null) {
            killQuietly(run.mainId);
        }
    }

    /** Removes the pod's containers and directories. Idempotent. */
    void delete(String pod) {
        PodRun run = pods.remove(pod);
        if (run != null) {
            run.remove();
        }
    }

    @Override
    public void close() {
        try {
            oomEvents.close();
        } catch (IOException e) {
            log.debug("closing the event stream: {}", e.toString());
        }
        probes.shutdownNow();
        pods.keySet().forEach(this::delete);
        for (Container left : docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(HARNESS_LABEL, harnessId)).exec()) {
            removeQuietly(left.getId());
        }
        workers.shutdownNow();
    }

    private void killQuietly(String id) {
        try {
            docker.killContainerCmd(id).exec();
        } catch (RuntimeException e) {
            log.debug("kill {}: {}", id, e.toString());
        }
    }

    private void removeQuietly(String id) {
        try {
            docker.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
        } catch (NotFoundException e) {
            // gone already
        } catch (RuntimeException e) {
            log.warn("Simulated kubelet could not remove container {}: {}", id, e.toString());
        }
    }

    /** One pod's life: its volumes, init containers, main container, probe. */
    private final class PodRun {
        private final V1Pod pod;
        private final String name;
        private final String ip;
        private final Path dir;
        private final List<String> containerIds = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final List<V1ContainerStatus> initStatuses = new ArrayList<>();
        private volatile boolean removed;
        private volatile boolean mainStarted;
        private volatile String mainId;
        private volatile ReadinessProbe probe;
        private OffsetDateTime mainStartedAt;

        PodRun(V1Pod pod, String ip) {
            this.pod = pod;
            this.name = pod.getMetadata().getName();
            this.ip = ip;
            this.dir = workRoot.resolve("pods").resolve(name);
        }

        void start(Function<V1SecretKeySelector, String> secrets) {
            if (removed) {
                return;
            }
            try {
                List<V1Container> inits = pod.getSpec().getInitContainers() == null ? List.of()
                        : pod.getSpec().getInitContainers();
                V1Container main = pod.getSpec().getContainers().get(0);
                Map<String, Map<String, String>> env = new LinkedHashMap<>();
                for (V1Container container : allOf(inits, main)) {
                    Map<String, String> values = PodEnv.resolve(pod, container, ip, secrets);
                    if (values == null) {
                        // A referenced Secret does not exist (yet): the kubelet holds the pod back and looks again.
                        probes.schedule(() -> workers.execute(() -> start(secrets)), 100, TimeUnit.MILLISECONDS);
                        return;
                    }
                    env.put(container.getName(), values);
                }
                Map<String, String> volumes = volumes();
                for (V1Container init : inits) {
                    initStatuses.add(ContainerStatuses.waiting(init.getName(), init.getImage(), "PodInitializing", null));
                }
                write(status -> ContainerStatuses.pending(status, ip, List.copyOf(initStatuses),
                        List.of(ContainerStatuses.waiting(main.getName(), main.getImage(), "PodInitializing", null)),
                        false));
                for (int i = 0; i < inits.size(); i++) {
                    if (removed || !runInit(i, inits.get(i), volumes, env.get(inits.get(i).getName()), main)) {
                        return;
                    }
                }
                if (!removed) {
                    runMain(main, volumes, env.get(main.getName()));
                }
            } catch (RuntimeException e) {
                if (!removed) {
                    log.warn("Simulated kubelet could not run {}: {}", name, e.toString());
                    write(status -> ContainerStatuses.ended(status, false, List.copyOf(initStatuses), List.of(), false));
                }
            }
        }

        /** Runs one init container to completion; false when the pod stops here (failed, refused or removed). */
        private boolean runInit(int index, V1Container init, Map<String, String> volumes, Map<String, String> env,
                                V1Container main) {
            String refusal = refusal(init);
            if (refusal != null) {
                initStatuses.set(index, ContainerStatuses.waiting(init.getName(), init.getImage(),
                        "CreateContainerConfigError", refusal));
                write(status -> ContainerStatuses.pending(status, ip, List.copyOf(initStatuses), List.of(
                        ContainerStatuses.waiting(main.getName(), main.getImage(), "PodInitializing", null)), false));
                return false;
            }
            OffsetDateTime started = OffsetDateTime.now();
            String id = createAndStart(init, volumes, env);
            if (id == null) {
                return false;
            }
            int exit = docker.waitContainerCmd(id).start().awaitStatusCode();
            if (removed) {
                return false;
            }
            InspectContainerResponse inspected = docker.inspectContainerCmd(id).exec();
            boolean oom = Boolean.TRUE.equals(inspected.getState().getOOMKilled());
            initStatuses.set(index, ContainerStatuses.terminated(init.getName(), init.getImage(), exit, oom, started));
            if (exit != 0) {
                log.warn("Init container {} of {} exited with {}: {}", init.getName(), name, exit, logs(id));
                write(status -> ContainerStatuses.ended(status, false, List.copyOf(initStatuses), List.of(
                        ContainerStatuses.waiting(main.getName(), main.getImage(), "PodInitializing", null)), false));
                return false;
            }
            return true;
        }

        private void runMain(V1Container main, Map<String, String> volumes, Map<String, String> resolved) {
            String refusal = refusal(main);
            if (refusal != null) {
                write(status -> ContainerStatuses.pending(status, ip, List.copyOf(initStatuses), List.of(
                        ContainerStatuses.waiting(main.getName(), main.getImage(), "CreateContainerConfigError",
                                refusal)), true));
                return;
            }
            Map<String, String> env = new LinkedHashMap<>(resolved);
            env.putIfAbsent(RunnerConfig.HOST_ENV, ip);
            mainStartedAt = OffsetDateTime.now();
            String id = createAndStart(main, volumes, env);
            if (id == null) {
                return;
            }
            mainId = id;
            mainStarted = true;
            write(status -> ContainerStatuses.running(status.initContainerStatuses(List.copyOf(initStatuses)),
                    List.of(ContainerStatuses.running(main.getName(), main.getImage(), mainStartedAt)), false));
            probe = ReadinessProbe.start(main, ip, probes, workers, http, ready -> setReady(main, ready));
            int exit = docker.waitContainerCmd(id).start().awaitStatusCode();
            mainStarted = false;
            probe.stop();
            if (removed) {
                return;
            }
            boolean oom = Boolean.TRUE.equals(docker.inspectContainerCmd(id).exec().getState().getOOMKilled());
            if (exit != 0) {
                log.info("Container {} of {} exited with {}{}", main.getName(), name, exit, oom ? " (OOMKilled)" : "");
            }
            V1ContainerStatus ended = ContainerStatuses.terminated(main.getName(), main.getImage(), exit, oom,
                    mainStartedAt);
            terminations.put(name, ended.getState().getTerminated());
            write(status -> ContainerStatuses.ended(status, exit == 0, List.copyOf(initStatuses), List.of(ended), true));
        }

        /** Why the kubelet would refuse to create the container (CreateContainerConfigError), or null. */
        private String refusal(V1Container container) {
            String user;
            try {
                user = docker.inspectImageCmd(container.getImage()).exec().getConfig().getUser();
            } catch (NotFoundException e) {
                return "image " + container.getImage() + " is not present on the engine (the harness never pulls)";
            }
            return ContainerConfigs.nonRootViolation(pod, container, user);
        }

        /** Creates and starts one container; null when the pod was removed meanwhile (the container goes too). */
        private String createAndStart(V1Container container, Map<String, String> volumes, Map<String, String> env) {
            CreateContainerCmd cmd = docker.createContainerCmd(container.getImage())
                    .withName("hearth-kubelet-" + harnessId + "-" + name + "-" + container.getName())
                    .withLabels(Map.of(HARNESS_LABEL, harnessId, POD_LABEL, name));
            ContainerConfigs.apply(cmd, pod, container, env, volumes);
            String id = cmd.exec().getId();
            containerIds.add(id);
            if (removed) {
                removeQuietly(id);
                return null;
            }
            docker.startContainerCmd(id).exec();
            return id;
        }

        private static List<V1Container> allOf(List<V1Container> inits, V1Container main) {
            List<V1Container> all = new ArrayList<>(inits);
            all.add(main);
            return all;
        }

        private void setReady(V1Container main, boolean value) {
            if (mainStarted && !removed) {
                write(status -> "Running".equals(status.getPhase())
                        ? ContainerStatuses.running(status, List.of(ContainerStatuses.running(main.getName(),
                                main.getImage(), mainStartedAt)), value)
                        : status);
            }
        }

        /** emptyDir name → host directory, world-writable as the kubelet makes them, group {@code fsGroup}. */
        private Map<String, String> volumes() {
            Map<String, String> volumes = new LinkedHashMap<>();
            Long fsGroup = pod.getSpec().getSecurityContext() == null ? null
                    : pod.getSpec().getSecurityContext().getFsGroup();
            for (V1Volume volume : pod.getSpec().getVolumes() == null ? List.<V1Volume>of() : pod.getSpec().getVolumes()) {
                if (volume.getEmptyDir() == null) {
                    throw new IllegalArgumentException("volume " + volume.getName() + ": only emptyDir is simulated");
                }
                try {
                    Path path = Files.createDirectories(dir.resolve(volume.getName()));
                    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxrwxrwx"));
                    if (fsGroup != null) {
                        Files.setAttribute(path, "unix:gid", fsGroup.intValue());
                    }
                    volumes.put(volume.getName(), path.toString());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return volumes;
        }

        private String logs(String id) {
            StringBuilder text = new StringBuilder();
            try {
                docker.logContainerCmd(id).withStdOut(true).withStdErr(true).withTail(20)
                        .exec(new ResultCallback.Adapter<com.github.dockerjava.api.model.Frame>() {
                            @Override
                            public void onNext(com.github.dockerjava.api.model.Frame frame) {
                                text.append(new String(frame.getPayload(), java.nio.charset.StandardCharsets.UTF_8));
                            }
                        }).awaitCompletion(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return text.toString().strip();
        }

        /** One status write of this pod at a time (the probe's and the pod's own), so that none undoes another. */
        private synchronized void write(UnaryOperator<V1PodStatus> change) {
            if (!removed) {
                statuses.write(name, change);
            }
        }

        void remove() {
            removed = true;
            mainStarted = false;
            if (probe != null) {
                probe.stop();
            }
            containerIds.forEach(ContainerPods.this::removeQuietly);
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            log.debug("deleting {}: {}", root, e.toString());
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
