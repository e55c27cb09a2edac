package dev.hearth.runner.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.hearth.runner.protocol.BuildOutput;
import reactor.core.publisher.BaseSubscriber;
import reactor.test.StepVerifier;

import static org.awaitility.Awaitility.await;

class BuildLogTest {

    @TempDir
    Path dir;

    @Test
    void aReaderGetsEveryChunkThenTheEnd() throws Exception {
        try (BuildLog log = new BuildLog(dir.resolve("build.log"))) {
            log.append("one\n");
            log.append("two\n");
            log.end(0, false, 12.5);
            List<BuildOutput> records = log.read().collectList().block(Duration.ofSeconds(10));
            assertThat(records).extracting(BuildOutput::content).containsExactly("one\n", "two\n", "");
            assertThat(records.get(2).end().exitCode()).isZero();
        }
    }

    @Test
    void aFollowerSeesChunksAppendedAfterItStarted() throws Exception {
        try (BuildLog log = new BuildLog(dir.resolve("build.log"))) {
            StepVerifier.create(log.read())
                    .then(() -> log.append("late\n"))
                    .assertNext(record -> assertThat(record.content()).isEqualTo("late\n"))
                    .then(() -> log.end(1, false, 1))
                    .assertNext(record -> assertThat(record.end().exitCode()).isEqualTo(1))
                    .expectComplete()
                    .verify(Duration.ofSeconds(10));
        }
    }

    @Test
    void aReaderThatTakesOneRecordAtATimeNeverHoldsTheWriterBack() throws Exception {
        try (BuildLog log = new BuildLog(dir.resolve("build.log"))) {
            AtomicReference<BuildOutput> seen = new AtomicReference<>();
            BaseSubscriber<BuildOutput> slow = new BaseSubscriber<>() {
                @Override
                protected void hookOnSubscribe(org.reactivestreams.Subscription subscription) {
                    request(1);
                }

                @Override
                protected void hookOnNext(BuildOutput record) {
                    seen.set(record);
                }
            };
            log.read().subscribe(slow);
            for (int i = 0; i < 20_000; i++) {
                log.append("line " + i + "\n");
            }
            log.end(0, false, 1);
            assertThat(log.ended()).as("the writer finished while the reader had taken one record").isTrue();
            await("the slow reader got its one record").until(() -> seen.get() != null);
            assertThat(seen.get().content()).isEqualTo("line 0\n");
            slow.request(19_999);
            await("it reads on at its own pace").until(() -> "line 19999\n".equals(seen.get().content()));
            slow.dispose();
        }
    }

    @Test
    void outputBeyondTheCapIsCountedAsTruncated() throws Exception {
        try (BuildLog log = new BuildLog(dir.resolve("build.log"), 10)) {
            log.append("0123456789");
            log.append("more");
            log.end(0, false, 1);
            List<BuildOutput> records = log.read().collectList().block(Duration.ofSeconds(10));
            assertThat(records).extracting(BuildOutput::content).containsExactly("0123456789", "");
            assertThat(records.get(1).end().truncated()).as("truncated").isTrue();
        }
    }
}
