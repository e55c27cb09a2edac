package dev.hearth.gateway.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.zip.CRC32;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import reactor.core.Disposable;
import reactor.core.scheduler.Schedulers;

/**
 * 500 MiB through each device, each way, in a JVM whose heap is capped (the build's {@code heap-bound} surefire
 * execution: {@code -Xmx64m -XX:MaxDirectMemorySize=64m}): a device holding an object whole, or buffering more than
 * its stated parts, dies of an OutOfMemoryError here. Prints throughput and the peak heap of each transfer.
 */
@Tag("heap-bound")
class StorageLargeObjectIT {

    static final long SIZE = 500L * 1024 * 1024;
    static final long HEAP_CAP = 64L * 1024 * 1024;
    static final Duration WAIT = Duration.ofMinutes(5);

    @RegisterExtension
    static final S3MockProcess S3 = new S3MockProcess();

    @TempDir
    static Path root;

    @BeforeAll
    static void theHeapIsCapped() {
        assertThat(Runtime.getRuntime().maxMemory()).as("max heap: run in the heap-bound fork (-Xmx64m)")
                .isLessThanOrEqualTo(HEAP_CAP);
    }

    @Test
    void fiveHundredMebibytesIntoS3AndBack() {
        try (S3Storage storage = S3Storage.create(S3.settings("", 8 * 1024 * 1024))) {
            transfer("s3", storage);
        }
    }

    @Test
    void fiveHundredMebibytesIntoTheLocalDirectoryAndBack() {
        transfer("local", new LocalStorage(root));
    }

    private static void transfer(String device, Storage storage) {
        String path = StorageContract.path("large.tar.gz");
        CRC32 written = new CRC32();

        Measured<StoredObject> write = measure(() -> storage.write(path, Content.large(SIZE).flux()
                .doOnNext(buffer -> written.update(buffer.nioBuffer()))).block(WAIT));
        Measured<long[]> read = measure(() -> Content.crcOf(storage.read(path)).block(WAIT));

        System.out.printf("heap-bound %s: write %.0f MB/s, live heap peak %d MiB (+%d MiB); "
                        + "read %.0f MB/s, live heap peak %d MiB (+%d MiB)%n",
                device, write.megabytesPerSecond(), write.peakMiB(), write.heldMiB(), read.megabytesPerSecond(),
                read.peakMiB(), read.heldMiB());
        assertThat(write.value().size()).as("%s: size written", device).isEqualTo(SIZE);
        assertThat(read.value()[1]).as("%s: size read", device).isEqualTo(SIZE);
        assertThat(read.value()[0]).as("%s: checksum read", device).isEqualTo(written.getValue());
        // S3 writes hold two 8 MiB parts (measured 17-22 MiB, the more the busier the machine; S3PartsTest pins the
        // two parts exactly); reads and local writes a few buffers. Far below the object, whatever the load.
        assertThat(write.heldMiB()).as("%s: live heap held writing, MiB", device).isLessThanOrEqualTo(32);
        assertThat(read.heldMiB()).as("%s: live heap held reading, MiB", device).isLessThanOrEqualTo(16);
    }

    /**
     * {@code work}'s value, how long it took, and the most heap it kept alive: every 250 ms a full collection, then
     * the heap in use, minus what was in use before (garbage excluded; the collections cost a little throughput).
     */
    private static <T> Measured<T> measure(Supplier<T> work) {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        long before = memory.getHeapMemoryUsage().getUsed();
        AtomicLong peak = new AtomicLong(before);
        Disposable sampler = Schedulers.single().schedulePeriodically(() -> {
            System.gc();
            peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
        }, 250, 250, TimeUnit.MILLISECONDS);
        long started = System.nanoTime();
        try {
            T value = work.get();
            return new Measured<>(value, System.nanoTime() - started, before, peak.get());
        } finally {
            sampler.dispose();
        }
    }

    private record Measured<T>(T value, long nanos, long heapBefore, long peakLive) {

        double megabytesPerSecond() {
            return SIZE / 1e6 / (nanos / 1e9);
        }

        long heldMiB() {
            return Math.max(0, peakLive - heapBefore) / (1024 * 1024);
        }

        long peakMiB() {
            return peakLive / (1024 * 1024);
        }
    }
}
