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
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1SecretKeySelector;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodIP;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.openapi.models.V1PodStatus;

/**
 * Plays kubelet for the mock API server: for each new pod it starts what the pod would run — a real
 * {@link Runner}, configured from the pod's {@code HEARTH_RUNNER_*} env — on its own loopback address
 * (127.0.0.2, 127.0.0.3, … all on the same port, as pod IPs are), then writes {@code podIP}, phase Running
 * and {@code Ready=True} back. On pod deletion it closes the runner (and so kills its processes).
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

    SimulatedKubelet(ApiClient client, ApiClient watchClient, String namespace, Path workRoot, Faults faults) {
        this.core = new CoreV1Api(client);
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

    /** Pods whose runner is serving now. */
    public int runningPods() {
        return runners.size();
    }

    /** Whether the pod's runner is serving. */
    public boolean running(String podName) {
        return runners.containsKey(podName);
    }

    /** Kills the pod now, as an OOM kill would: runner closed, phase Failed. */
    public void crash(String podName) {
        executor.execute(() -> crashNow(podName));
    }

    @Override
    public void close() {
        informers.stopAllRegisteredInformers(true);
        watchClient.getHttpClient().dispatcher().cancelAll();
        executor.shutdownNow();
        runners.values().forEach(Runner::close);
        runners.clear();
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
        try {
            Map<String, String> env = runtimeEnv(pod);
            if (env == null) {
                // A referenced Secret does not exist (yet): the kubelet holds the container back and looks again.
                executor.schedule(() -> start(pod, false, crashAfter), 100, TimeUnit.MILLISECONDS);
                return;
            }
            String host = nextAddress();
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
                    return;
                }
                if (e.getCode() != 409) {
                    log.warn("Simulated kubelet could not write the status of {}: HTTP {}", name, e.getCode());
                    return;
                }
            }
        }
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

    /** The runtime container's environment with {@code secretKeyRef}s resolved; null while a Secret is missing. */
    private Map<String, String> runtimeEnv(V1Pod pod) {
        List<V1EnvVar> env = pod.getSpec().getContainers().get(0).getEnv();
        Map<String, String> values = new java.util.HashMap<>();
        for (V1EnvVar var : env == null ? List.<V1EnvVar>of() : env) {
            if (var.getValueFrom() != null && var.getValueFrom().getSecretKeyRef() != null) {
                String value = secretValue(var.getValueFrom().getSecretKeyRef());
                if (value == null) {
                    return null;
                }
                values.put(var.getName(), value);
            } else {
                values.put(var.getName(), var.getValue());
            }
        }
        return values;
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
            executor.execute(() -> stop(name));
            executor.execute(() -> GarbageCollector.deleteSecretsOwnedBy(core, namespace, pod.getMetadata().getUid()));
        }
    }
}
