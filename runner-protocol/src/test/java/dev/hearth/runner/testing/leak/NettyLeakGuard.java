package dev.hearth.runner.testing.leak;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class after which Netty reports a leaked buffer (or any other tracked resource): every module's suite
 * runs with it (auto-detected through {@code META-INF/services}, enabled in the parent pom's surefire and failsafe
 * configuration), at Netty's {@code paranoid} level unless {@code -Dio.netty.leakDetection.level} says otherwise;
 * {@code -Dhearth.leak-guard=off} turns it off.
 *
 * <p>Netty reports a leak only once the resource has been garbage-collected and a detector next tracks something, so
 * after each top-level class this collects garbage and polls the detectors. A leak is charged to the class after
 * which it was collected: usually the one that leaked it, but an object held longer (a cached Spring context) is
 * found later. The failure lists Netty's access records; the "Created at" record and the last ones name the owner.
 */
public final class NettyLeakGuard implements AfterAllCallback {

    static final String SWITCH = "hearth.leak-guard";
    private static final RecordingLeakDetectorFactory FACTORY = install();

    private static RecordingLeakDetectorFactory install() {
        if ("off".equalsIgnoreCase(System.getProperty(SWITCH, ""))) {
            return null;
        }
        RecordingLeakDetectorFactory factory = new RecordingLeakDetectorFactory();
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(factory);
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        }
        return factory;
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        // @Nested classes end inside their enclosing class, which checks once for all of them.
        if (FACTORY == null || context.getParent().flatMap(ExtensionContext::getTestClass).isPresent()) {
            return;
        }
        List<String> leaks = collect();
        if (!leaks.isEmpty()) {
            throw new AssertionError(String.format(Locale.ROOT,
                    "Netty reported %d leak(s) after %s (level %s); the access records name the owner:%n%s",
                    leaks.size(), context.getRequiredTestClass().getName(), ResourceLeakDetector.getLevel(),
                    String.join(System.lineSeparator(), leaks)));
        }
    }

    /** Collects garbage, has the detectors look, and answers (and forgets) what they reported since last time. */
    static List<String> collect() throws InterruptedException {
        if (FACTORY == null) {
            return List.of();
        }
        // Two rounds: a leaked buffer can be reachable from an object the first collection only finalizes.
        for (int round = 0; round < 2; round++) {
            ReferenceQueue<Object> cleared = new ReferenceQueue<>();
            WeakReference<Object> sentinel = new WeakReference<>(new Object(), cleared);
            System.gc();
            // The sentinel's arrival says the reference handler has queued what this collection cleared, Netty's
            // leak references among them; the wait is bounded in case the JVM ignored System.gc().
            cleared.remove(5_000);
            sentinel.clear();
            FACTORY.poll();
        }
        return FACTORY.drain();
    }

    static boolean installed() {
        return FACTORY != null;
    }
}
