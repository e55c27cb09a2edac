package dev.hearth.runner.testing.leak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherFactory;

/** The guard fails a class that leaks a buffer, and only such a class. */
@DisabledIfSystemProperty(named = NettyLeakGuard.SWITCH, matches = "off")
class NettyLeakGuardTest {

    @Test
    void failsTheClassThatLeaksABuffer() {
        List<Throwable> failures = run(LeakingFixture.class);

        assertThat(failures).singleElement().satisfies(failure -> assertThat(failure)
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("leak(s) after " + LeakingFixture.class.getName())
                .hasMessageContaining("LEAK: ByteBuf.release() was not called")
                // The access records lead to the owner: the method that took the buffer and the one that touched it.
                .hasMessageContaining("LeakingFixture.dropsABuffer")
                .hasMessageContaining("read by the fixture"));
    }

    @Test
    void failsEachClassThatLeaksTheSameWayAsAnEarlierOne() {
        // Netty itself reports one access record once per JVM; the guard makes each class answer for its leaks.
        run(LeakingFixture.class);

        assertThat(run(LeakingFixture.class)).singleElement().satisfies(failure -> assertThat(failure)
                .hasMessageContaining("LeakingFixture.dropsABuffer"));
    }

    @Test
    void passesAClassThatReleasesWhatItTakes() {
        assertThat(run(ReleasingFixture.class)).isEmpty();
    }

    @Test
    void runsAtParanoidLevelUnlessToldOtherwise() {
        assertThat(NettyLeakGuard.installed()).isTrue();
        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.valueOf(
                System.getProperty("io.netty.leakDetection.level", "paranoid").toUpperCase(java.util.Locale.ROOT)));
    }

    /** Runs one fixture class in a launcher of its own and answers the failures of its class container. */
    private static List<Throwable> run(Class<?> fixture) {
        List<Throwable> failures = new ArrayList<>();
        TestExecutionListener listener = new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                result.getThrowable().ifPresent(failures::add);
            }
        };
        LauncherFactory.create().execute(request().selectors(selectClass(fixture)).build(), listener);
        return failures;
    }

    // The fixtures are nested so that no suite selects them: only the launcher above runs them.

    @ExtendWith(NettyLeakGuard.class)
    static class LeakingFixture {

        @Test
        void dropsABuffer() {
            // Tracked whatever level the suite runs at: below paranoid Netty samples one buffer in 128.
            ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
            try {
                ByteBuf buffer = PooledByteBufAllocator.DEFAULT.directBuffer(64);
                buffer.touch("read by the fixture");
                buffer.writeLong(42);
            } finally {
                ResourceLeakDetector.setLevel(level);
            }
        }
    }

    @ExtendWith(NettyLeakGuard.class)
    static class ReleasingFixture {

        @Test
        void releasesItsBuffer() {
            ByteBuf buffer = PooledByteBufAllocator.DEFAULT.directBuffer(64);
            buffer.writeLong(42);
            buffer.release();
        }
    }
}
