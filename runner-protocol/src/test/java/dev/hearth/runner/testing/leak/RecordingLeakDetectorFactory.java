package dev.hearth.runner.testing.leak;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import io.netty.util.ResourceLeakTracker;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Makes Netty's leak detectors (one per resource type: {@code ByteBuf}, timers, ...) keep what they report, besides
 * logging it, so that {@link NettyLeakGuard} can fail the test class whose collection found it. Installed before
 * Netty creates its first detector: a detector made by another factory would report only to the log.
 */
final class RecordingLeakDetectorFactory extends ResourceLeakDetectorFactory {

    private final List<ResourceLeakDetector<?>> detectors = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<String> reports = new ConcurrentLinkedQueue<>();

    @Override
    public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
            long maxActive) {
        ResourceLeakDetector<T> detector = new RecordingDetector<>(resource, samplingInterval);
        detectors.add(detector);
        return detector;
    }

    /**
     * Has every detector look at the references the last GC cleared: Netty only does so when it tracks a new
     * resource, so one is tracked (forcibly, whatever the level) and closed at once.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    void poll() {
        for (ResourceLeakDetector detector : detectors) {
            forgetReported(detector);
            Object probe = new Object();
            ResourceLeakTracker tracker = detector.trackForcibly(probe);
            tracker.close(probe);
        }
    }

    /**
     * Netty reports a leak once per distinct access record, so a second class leaking the same way would pass:
     * the detector's record of what it reported is cleared, and each class answers for its own leaks.
     */
    private static void forgetReported(ResourceLeakDetector<?> detector) {
        try {
            Field reported = ResourceLeakDetector.class.getDeclaredField("reportedLeaks");
            reported.setAccessible(true);
            ((Set<?>) reported.get(detector)).clear();
        } catch (ReflectiveOperationException | RuntimeException e) {
            // A Netty without the field still reports each distinct leak once.
        }
    }

    /** The reports since the last call, oldest first. */
    List<String> drain() {
        List<String> drained = new ArrayList<>();
        for (String report; (report = reports.poll()) != null; ) {
            drained.add(report);
        }
        return drained;
    }

    private final class RecordingDetector<T> extends ResourceLeakDetector<T> {

        RecordingDetector(Class<T> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        // Reports even when a logging configuration has silenced Netty's logger.
        @Override
        protected boolean needReport() {
            return true;
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            super.reportTracedLeak(resourceType, records);
            reports.add("LEAK: " + resourceType + ".release() was not called before it was garbage-collected."
                    + records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            super.reportUntracedLeak(resourceType);
            reports.add("LEAK: " + resourceType + ".release() was not called before it was garbage-collected"
                    + " (untraced: no access records at this level).");
        }
    }
}
