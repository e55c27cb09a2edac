package dev.hearth.pool.kubernetes.harness;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.hearth.pool.Secrets;
import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1JobList;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;

/**
 * Plays the Job controller and the garbage collector for the mock API server: each new Job gets one pod
 * from its template (labelled {@code job-name}, owned by the Job), and when a Job is deleted its pods are
 * deleted too, as background propagation would. Deadlines and TTLs are not enforced.
 */
public final class SimulatedJobController implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SimulatedJobController.class);

    private final CoreV1Api core;
    private final String namespace;
    private final SharedInformerFactory informers;
    private final ApiClient watchClient;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "simulated-job-controller");
        thread.setDaemon(true);
        return thread;
    });
    private final Set<String> handled = ConcurrentHashMap.newKeySet();

    SimulatedJobController(ApiClient client, ApiClient watchClient, String namespace) {
        this.core = new CoreV1Api(client);
        this.namespace = namespace;
        this.informers = new SharedInformerFactory(watchClient);
        this.watchClient = watchClient;
        BatchV1Api watchBatch = new BatchV1Api(watchClient);
        informers.sharedIndexInformerFor(params -> watchBatch.listNamespacedJob(namespace)
                        .resourceVersion(params.resourceVersion)
                        .timeoutSeconds(params.timeoutSeconds)
                        .watch(params.watch)
                        .buildCall(null), V1Job.class, V1JobList.class)
                .addEventHandler(new Handler());
        informers.startAllRegisteredInformers();
    }

    @Override
    public void close() {
        informers.stopAllRegisteredInformers(true);
        watchClient.getHttpClient().dispatcher().cancelAll();
        executor.shutdownNow();
    }

    private void createPod(V1Job job) {
        V1ObjectMeta template = job.getSpec().getTemplate().getMetadata();
        String jobName = job.getMetadata().getName();
        Map<String, String> labels = new LinkedHashMap<>(template == null || template.getLabels() == null
                ? Map.of() : template.getLabels());
        labels.put("job-name", jobName);
        labels.put("batch.kubernetes.io/job-name", jobName);
        V1Pod pod = new V1Pod()
                .apiVersion("v1")
                .kind("Pod")
                .metadata(new V1ObjectMeta()
                        .name(jobName + "-" + Secrets.hex(3))
                        .namespace(namespace)
                        .labels(labels)
                        .annotations(template == null ? null : template.getAnnotations())
                        .ownerReferences(List.of(new V1OwnerReference()
                                .apiVersion("batch/v1")
                                .kind("Job")
                                .name(jobName)
                                .uid(job.getMetadata().getUid() == null ? jobName : job.getMetadata().getUid())
                                .controller(true))))
                .spec(job.getSpec().getTemplate().getSpec());
        try {
            core.createNamespacedPod(namespace, pod).execute();
        } catch (ApiException e) {
            log.warn("Simulated Job controller could not create the pod of {}: HTTP {} {}", jobName, e.getCode(),
                    e.getResponseBody());
        }
    }

    private void deletePods(String jobName) {
        try {
            for (V1Pod pod : core.listNamespacedPod(namespace).labelSelector("job-name=" + jobName).execute().getItems()) {
                core.deleteNamespacedPod(pod.getMetadata().getName(), namespace).execute();
            }
        } catch (ApiException e) {
            log.warn("Simulated garbage collector could not delete the pods of {}: HTTP {}", jobName, e.getCode());
        }
    }

    private final class Handler implements ResourceEventHandler<V1Job> {
        @Override
        public void onAdd(V1Job job) {
            if (handled.add(job.getMetadata().getName())) {
                executor.execute(() -> createPod(job));
            }
        }

        @Override
        public void onUpdate(V1Job oldJob, V1Job newJob) {
            onAdd(newJob);
        }

        @Override
        public void onDelete(V1Job job, boolean finalStateUnknown) {
            executor.execute(() -> deletePods(job.getMetadata().getName()));
            executor.execute(() -> GarbageCollector.deleteSecretsOwnedBy(core, namespace, job.getMetadata().getUid()));
        }
    }
}
