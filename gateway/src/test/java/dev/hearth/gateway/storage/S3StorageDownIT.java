package dev.hearth.gateway.storage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.hearth.gateway.api.error.ErrorType;
import dev.hearth.gateway.api.error.ExecutorError;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/** S3 stopped: reads and writes fail as the device being unavailable, named, and leave nothing behind. */
class S3StorageDownIT {

    @RegisterExtension
    static final S3MockProcess S3 = new S3MockProcess();

    private static S3Storage storage;

    @BeforeAll
    static void device() {
        storage = S3Storage.create(S3.settings("", S3Settings.MIN_PART_SIZE));
    }

    @AfterAll
    static void close() {
        storage.close();
    }

    @Test
    void aDeviceThatDoesNotAnswerFailsReadsAndWritesAs503NamingItAndLeavesNothing() {
        String path = StorageContract.path("down.gz");
        Content content = Content.of(3L * S3Settings.MIN_PART_SIZE);

        S3.stop();
        Throwable read;
        Throwable write;
        try {
            read = StorageContract.catchError(storage.read(path));
            write = StorageContract.catchError(storage.write(path, content.flux()));
        } finally {
            S3.start();
        }

        for (Throwable error : new Throwable[] {read, write}) {
            assertThat(error).as("failure").isInstanceOf(StorageUnavailableException.class)
                    .hasMessageContaining(storage.describe())
                    .hasMessageNotContaining("test-secret");
            assertThat(ExecutorError.from(error)).as("mapped").extracting(ExecutorError::type, ExecutorError::code)
                    .containsExactly(ErrorType.STORAGE_UNAVAILABLE, 503);
        }
        assertThat(content.allReleased()).as("content released").isTrue();
        assertThat(S3.client().listMultipartUploads(b -> b.bucket(S3MockProcess.BUCKET)).join().uploads())
                .as("pending multipart uploads once S3 is back").isEmpty();
        assertThat(S3.client().headObject(b -> b.bucket(S3MockProcess.BUCKET).key(storage.key(path)))
                .handle((head, error) -> error != null && error.getCause() instanceof NoSuchKeyException).join())
                .as("no object once S3 is back").isTrue();
    }
}
