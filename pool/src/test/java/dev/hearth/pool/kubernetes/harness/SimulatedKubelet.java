package dev.hearth.pool.kubernetes.harness;

import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.hearth.runner.Runner;
import dev.hearth.runner.RunnerConfig;
import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ContainerState;
import io.kubernetes.client.openapi.models.V1ContainerStateTerminated;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1SecretKeySelector;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodIP;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.openapi.models.V1PodStatus;

/**
 * Plays kubelet for the mock API server. Each new pod gets its own loopback address (127.0.0.2, 127.0.0.3, … all
 * on the same port, as pod IPs are) and runs in one of two modes, chosen with the harness's builder:
 * <ul>
 * <li>process mode (the default): a real {@link Runner} in this JVM, configured from the pod's
 *     {@code HEARTH_RUNNER_*} env; {@code podIP}, phase Running and {@code Ready=True} are written back at once.
 *     On pod deletion the runner is closed (and so its processes killed).</li>
 * <li>container mode ({@link ContainerPods}): the pod spec as Docker containers — init containers, then the
 *     runtime container with its image, command, env, emptyDirs, security context, limits and readiness probe —
 *     and the statuses a kubelet reports (waiting reasons, exit codes, {@code OOMKilled}).</li>
 * </ul>
 */
public final class SimulatedKubelet implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SimulatedKubelet.class);
    /** Per JVM, so that two harnesses never hand out the same address. */
    private static final AtomicInteger NEXT_ADDRESS = new AtomicInteger();

    private final CoreV1Api core;
    private final String namespace;
    private final Path workRoot;
    private final Faults faults;
    private final SharedInformerFactory informers;
    private final ApiClient watchClient;
    private final ScheduledExecutorService executor = Executors.newScheduledThreadPool(4, runnable -> {
        Thread thread = new Thread(runnable, "simulated-kubelet");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, Runner> runners = new ConcurrentHashMap<>();
    private final Map<String, Boolean> seen = new ConcurrentHashMap<>();
    /** Each pod's address, kept while its start waits for a Secret. */
    private final Map<String, String> addresses = new ConcurrentHashMap<>();
    /** Container mode's pods; null in process mode. */
    private final ContainerPods containers;

    /** @param docker the engine of container mode, null for process mode */
    SimulatedKubelet(ApiClient client, ApiClient watchClient, String namespace, Path workRoot, Faults faults,
                     com.github.dockerjava.api.DockerClient docker) {
        this.core = new CoreV1Api(client);
        this.containers = docker == null ? null : new ContainerPods(docker,
                workRoot.getFileName().toString().replaceAll("[^A-Za-z0-9]", "").toLowerCase(), workRoot,
                this::writeStatus);
        this.namespace = namespace;
        this.workRoot = workRoot;
        this.faults = faults;
        this.informers = new SharedInformerFactory(watchClient);
        this.watchClient = watchClient;
        CoreV1Api watchCore = new CoreV1Api(watchClient);
        informers.sharedIndexInformerFor(params -> watchCore.listNamespacedPod(namespace)
                        .resourceVersion(params.resourceVersion)
                        .timeoutSeconds(params.timeoutSeconds)
                        .watch(params.watch)
                        .buildCall(null), V1Pod.class, V1PodList.class)
                .addEventHandler(new Handler());
        informers.startAllRegisteredInformers();
    }

    /** Pods whose runner (process mode) or runtime container (container mode) runs now. */
    public int runningPods() {
        return containers != null ? containers.runningPods() : runners.size();
    }

    /** Whether the pod's runner (process mode) or runtime container (container mode) runs. */
    public boolean running(String podName) {
        return containers != null ? containers.running(podName) : runners.containsKey(podName);
    }

    /**
     * Kills the pod now: in process mode as an OOM kill would (runner closed, phase Failed, exit 137, OOMKilled); in
     * container mode with SIGKILL to its runtime container (phase Failed, exit 137, reason Error).
     */
    public void crash(String podName) {
        if (containers != null) {
            executor.execute(() -> containers.crash(podName));
        } else {
            executor.execute(() -> crashNow(podName));
        }
    }

    /**
     * Container mode: how the pod's runtime container ended (exit code, reason such as {@code OOMKilled}) as the kubelet
     * reported it, also after the pod was deleted; null while it runs or never ran.
     */
    public io.kubernetes.client.openapi.models.V1ContainerStateTerminated termination(String podName) {
        if (containers == null) {
            throw new IllegalStateException("the kubelet runs in process mode: ask the pod's status");
        }
        return containers.termination(podName);
    }

    /**
     * The value of the label {@link ContainerPods#HARNESS_LABEL} ({@code dev.hearth.harness}) on every container this
     * harness made in container mode: {@code docker ps -a --filter label=dev.hearth.harness=<this>} lists them.
     */
    public String containerLabelValue() {
        if (containers == null) {
            throw new IllegalStateException("the kubelet runs in process mode: it makes no containers");
        }
        return containers.harnessId();
    }

    @Override
    public void close() {
        informers.stopAllRegisteredInformers(true);
        watchClient.getHttpClient().dispatcher().cancelAll();
        executor.shutdownNow();
        runners.values().forEach(Runner::close);
        runners.clear();
        if (containers != null) {
            containers.close();
        }
    }

    private void schedule(V1Pod pod) {
        String name = pod.getMetadata().getName();
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if (phase != null && !"Pending".equals(phase) || seen.putIfAbsent(name, Boolean.TRUE) != null) {
            return;
        }
        boolean neverReady = faults.neverReady();
        Duration crashAfter = faults.crashAfter();
        executor.schedule(() -> start(pod, neverReady, crashAfter), faults.startDelay().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void start(V1Pod pod, boolean neverReady, Duration crashAfter) {
        String name = pod.getMetadata().getName();
        if (neverReady || !seen.containsKey(name)) {
            return;
        }
        if (containers != null) {
            containers.start(pod, addresses.computeIfAbsent(name, n -> nextAddress()), this::secretValue);
            return;
        }
        try {
            String host = addresses.computeIfAbsent(name, n -> nextAddress());
            Map<String, String> env = PodEnv.resolve(pod, pod.getSpec().getContainers().get(0), host, this::secretValue);
            if (env == null) {
                // A referenced Secret does not exist (yet): the kubelet holds the container back and looks again.
                executor.schedule(() -> start(pod, false, crashAfter), 100, TimeUnit.MILLISECONDS);
                return;
            }
            int port = Integer.parseInt(env.get(RunnerConfig.PORT_ENV));
            Runner runner = Runner.start(new RunnerConfig(host, port, env.get(RunnerConfig.SECRET_ENV),
                    workRoot.resolve(name), 64));
            runners.put(name, runner);
            if (!seen.containsKey(name)) {
                stop(name);
                return;
            }
            writeStatus(name, status -> running(status, host));
            if (crashAfter != null) {
                executor.schedule(() -> crashNow(name), crashAfter.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (RuntimeException e) {
            log.warn("Simulated kubelet could not start {}: {}", name, e.toString());
            writeStatus(name, status -> failed(status, 128));
        }
    }

    private void crashNow(String name) {
        if (runners.containsKey(name)) {
            stop(name);
            writeStatus(name, status -> failed(status, 137));
        }
    }

    /** Closes the runner first, so that {@link #running} is true until it no longer serves. */
    private void stop(String name) {
        Runner runner = runners.get(name);
        if (runner != null) {
            runner.close();
            runners.remove(name, runner);
        }
    }

    /** Read-modify-write of the pod's status with its resourceVersion as precondition, retried on conflict. */
    private void writeStatus(String name, UnaryOperator<V1PodStatus> change) {
        for (int attempt = 0; attempt < 20; attempt++) {
            try {
                V1Pod current = core.readNamespacedPod(name, namespace).execute();
                current.setStatus(change.apply(Objects.requireNonNullElseGet(current.getStatus(), V1PodStatus::new)));
                core.replaceNamespacedPodStatus(name, namespace, current).execute();
                return;
            } catch (ApiException e) {
                if (e.getCode() == 404) {
                    stop(name);
                    if (containers != null) {
                        containers.delete(name);
                    }
                    return;
                }
                if (e.getCode() != 409) {
                    log.warn("Simulated kubelet could not write the status of {}: HTTP {}", name, e.getCode());
                    return;
                }
            }
        }
        log.warn("Simulated kubelet gave up writing the status of {}: 20 conflicts in a row", name);
    }

    private static V1PodStatus running(V1PodStatus status, String ip) {
        OffsetDateTime now = OffsetDateTime.now();
        return status.phase("Running")
                .podIP(ip)
                .podIPs(List.of(new V1PodIP().ip(ip)))
                .hostIP("127.0.0.1")
                .startTime(now)
                .conditions(List.of(
                        condition("PodScheduled", "True", now),
                        condition("Initialized", "True", now),
                        condition("ContainersReady", "True", now),
                        condition("Ready", "True", now)));
    }

    private static V1PodStatus failed(V1PodStatus status, int exitCode) {
        OffsetDateTime now = OffsetDateTime.now();
        return status.phase("Failed")
                .conditions(List.of(condition("Ready", "False", now), condition("ContainersReady", "False", now)))
                .containerStatuses(List.of(new V1ContainerStatus()
                        .name("runtime")
                        .ready(false)
                        .restartCount(0)
                        .image("")
                        .imageID("")
                        .state(new V1ContainerState().terminated(new V1ContainerStateTerminated()
                                .exitCode(exitCode)
                                .reason(exitCode == 137 ? "OOMKilled" : "Error")
                                .finishedAt(now)))));
    }

    private static V1PodCondition condition(String type, String value, OffsetDateTime now) {
        return new V1PodCondition().type(type).status(value).lastTransitionTime(now);
    }

    private String secretValue(V1SecretKeySelector selector) {
        try {
            byte[] value = core.readNamespacedSecret(selector.getName(), namespace).execute().getData().get(selector.getKey());
            return value == null ? null : new String(value, java.nio.charset.StandardCharsets.UTF_8);
        } catch (ApiException e) {
            return null;
        }
    }

    private static String nextAddress() {
        int n = NEXT_ADDRESS.getAndIncrement();
        return "127.0." + (n / 250) % 250 + "." + (2 + n % 250);
    }

    private final class Handler implements ResourceEventHandler<V1Pod> {
        @Override
        public void onAdd(V1Pod pod) {
            schedule(pod);
        }

        @Override
        public void onUpdate(V1Pod oldPod, V1Pod newPod) {
            schedule(newPod);
        }

        @Override
        public void onDelete(V1Pod pod, boolean finalStateUnknown) {
            String name = pod.getMetadata().getName();
            seen.remove(name);
            addresses.remove(name);
            executor.execute(() -> stop(name));
            if (containers != null) {
                executor.execute(() -> containers.delete(name));
            }
            executor.execute(() -> GarbageCollector.deleteSecretsOwnedBy(core, namespace, pod.getMetadata().getUid()));
        }
    }
}
