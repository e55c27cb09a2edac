package dev.hearth.gateway.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.hearth.gateway.api.error.ErrorType;
import dev.hearth.gateway.api.error.ExecutorError;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/** The S3 device against S3Mock: the contract, plus keys, multipart uploads and the bucket's failures. */
class S3StorageIT extends StorageContract {

    @RegisterExtension
    static final S3MockProcess S3 = new S3MockProcess();

    private static final String PREFIX = "hearth/";
    private static final int PART = S3Settings.MIN_PART_SIZE;

    /** One device for the class (an SDK client takes seconds to start and close); every test has its own paths. */
    private static S3Storage storage;

    @BeforeAll
    static void device() {
        storage = S3Storage.create(S3.settings(PREFIX, PART));
    }

    @AfterAll
    static void close() {
        storage.close();
    }

    @Override
    protected Storage storage() {
        return storage;
    }

    @Override
    protected long severalParts() {
        return 4L * PART + 12345;
    }

    @Override
    protected boolean exists(String path) {
        return head(storage.key(path)) != null;
    }

    @Override
    protected List<String> leftovers() {
        return S3.client().listMultipartUploads(b -> b.bucket(S3MockProcess.BUCKET)).join().uploads().stream()
                .map(MultipartUpload::key)
                .toList();
    }

    @Test
    void objectsLiveUnderTheKeyPrefixAtTheirRelativePath() {
        String path = path("code.tar.gz");
        storage.write(path, text("code")).block(WAIT);

        assertThat(storage.key(path)).as("key").isEqualTo("hearth/" + path.substring(1));
        assertThat(head(storage.key(path))).as("object at the key").isNotNull();
        assertThat(storage.describe()).as("description")
                .isEqualTo("s3://" + S3MockProcess.BUCKET + "/hearth/ at " + S3.endpoint());
    }

    @Test
    void anObjectLargerThanAPartIsAMultipartUploadOfSeveralParts() {
        Content content = Content.of(severalParts());
        String path = path("multi.gz");

        storage.write(path, content.flux()).block(WAIT);

        HeadObjectResponse head = head(storage.key(path));
        assertThat(head.contentLength()).as("stored size").isEqualTo(content.size());
        assertThat(head.eTag()).as("multipart ETag: <md5 of part md5s>-<parts>").endsWith("-5\"");
    }

    @Test
    void anObjectSmallerThanAPartIsOnePut() {
        String path = path("small.gz");

        storage.write(path, Content.of(PART - 1).flux()).block(WAIT);

        assertThat(head(storage.key(path)).eTag()).as("single-part ETag").doesNotContain("-");
    }

    @Test
    void anObjectOfExactlyOnePartRoundTrips() {
        Content content = Content.of(PART);
        String path = path("one-part.gz");

        assertThat(storage.write(path, content.flux()).block(WAIT).size()).isEqualTo(PART);

        assertThat(Content.crcOf(storage.read(path)).block(WAIT)[0]).as("checksum").isEqualTo(content.crc());
    }

    @Test
    void aMissingBucketIsTheDeviceFailingNotAMissingObject() {
        S3Settings settings = S3.settings("", PART);
        S3Settings noBucket = new S3Settings(settings.endpoint(), settings.region(), "no-such-bucket", "",
                true, settings.accessKey(), settings.secretKey(), PART, 0, settings.connectTimeout(),
                settings.readTimeout());
        try (S3Storage missing = S3Storage.create(noBucket)) {
            Throwable error = catchError(missing.read("/storage/x.gz"));

            assertThat(error).as("read from a missing bucket").isInstanceOf(StorageUnavailableException.class)
                    .hasMessageContaining("s3://no-such-bucket/");
            assertThat(ExecutorError.from(error).type()).as("mapped type").isEqualTo(ErrorType.STORAGE_UNAVAILABLE);
        }
    }

    /**
     * S3 keeps the object at a key whose multipart upload is aborted; S3Mock 5.2.0 deletes it (seen with a plain
     * Create/UploadPart/AbortMultipartUpload sequence), so against S3Mock only a failure before the first full part,
     * which never creates an upload, can show the previous object kept.
     */
    @Test
    @Override
    void aFailedWriteKeepsThePreviousObject() {
        String path = path("kept.gz");
        storage.write(path, text("good")).block(WAIT);

        catchError(storage.write(path, Content.of(PART / 2).thenFailing(new IllegalStateException("cut"))));

        assertThat(readText(path)).as("object after a failed replacement").isEqualTo("good");
    }

    @Test
    void neitherDescriptionNorSettingsShowTheSecret() {
        assertThat(storage.describe()).doesNotContain("test-secret").doesNotContain("test-key");
        assertThat(storage.toString()).doesNotContain("test-secret").doesNotContain("test-key");
    }

    private static HeadObjectResponse head(String key) {
        try {
            return S3.client().headObject(b -> b.bucket(S3MockProcess.BUCKET).key(key)).join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof NoSuchKeyException) {
                return null;
            }
            throw e;
        }
    }
}
