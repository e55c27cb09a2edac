package dev.hearth.gateway.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.URI;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class StorageDsnTest {

    private static final String SECRET = "S3cr3t-V4lue";

    @ParameterizedTest
    @ValueSource(strings = {"local://localhost", "file://localhost", "file:///srv/storage", "LOCAL://x"})
    void localAndFileNameTheLocalDevice(String dsn) {
        StorageDsn parsed = StorageDsn.parse(dsn);

        assertThat(parsed.device()).as("device of %s", dsn).isEqualTo(StorageDevice.LOCAL);
        assertThat(parsed.endpoint()).as("endpoint").isNull();
    }

    @Test
    void s3WithAHostIsThatEndpointPathStyleWithDecodedKeys() {
        StorageDsn parsed = StorageDsn.parse("s3://AKIA%2BKEY:se%2Fcr+et@s3.example.com/my-bucket?region=eu-west-1");

        assertThat(parsed).isEqualTo(new StorageDsn(StorageDevice.S3, "s3", URI.create("https://s3.example.com"),
                "eu-west-1", "my-bucket", true, "AKIA+KEY", "se/cr+et"));
    }

    @Test
    void s3InsecureIsPlainHttp() {
        StorageDsn parsed = StorageDsn.parse("s3://k:s@minio:9000/b?insecure=true");

        assertThat(parsed.endpoint()).as("endpoint").isEqualTo(URI.create("http://minio:9000"));
        assertThat(parsed.region()).as("region when not given").isEqualTo("us-east-1");
    }

    @Test
    void s3UrlParameterIsTheEndpointAndMayCarryTheBucket() {
        StorageDsn withPath = StorageDsn.parse("s3://k:s@ignored/b?region=r&url=http%3A%2F%2Fminio%3A9000");
        StorageDsn inUrl = StorageDsn.parse("s3://k:s@/?region=r&url=http%3A%2F%2Fminio%3A9000%2Fbucket-in-url%2F");

        assertThat(withPath.endpoint()).as("endpoint from url").isEqualTo(URI.create("http://minio:9000"));
        assertThat(withPath.bucket()).as("bucket from the DSN path").isEqualTo("b");
        assertThat(inUrl.endpoint()).as("endpoint without the bucket").isEqualTo(URI.create("http://minio:9000"));
        assertThat(inUrl.bucket()).as("bucket from url's path, as upstream expects it").isEqualTo("bucket-in-url");
        assertThat(inUrl.pathStyle()).as("path style").isTrue();
    }

    @Test
    void s3WithoutHostOrUrlIsAwsItself() {
        StorageDsn parsed = StorageDsn.parse("s3://k:s@/artifacts?region=eu-central-1");

        assertThat(parsed.endpoint()).as("endpoint").isNull();
        assertThat(parsed.pathStyle()).as("path style").isFalse();
        assertThat(parsed).extracting(StorageDsn::bucket, StorageDsn::region)
                .containsExactly("artifacts", "eu-central-1");
    }

    @ParameterizedTest
    @CsvSource({
            "dospaces,  fra1,          https://fra1.digitaloceanspaces.com",
            "backblaze, us-west-004,   https://s3.us-west-004.backblazeb2.com",
            "linode,    us-east-1,     https://us-east-1.linodeobjects.com",
            "wasabi,    eu-central-2,  https://s3.eu-central-2.wasabisys.com"})
    void providersMapToTheirS3EndpointForTheRegion(String scheme, String region, String endpoint) {
        StorageDsn parsed = StorageDsn.parse(scheme + "://key:" + SECRET + "@ignored/bucket?region=" + region);

        assertThat(parsed).isEqualTo(new StorageDsn(StorageDevice.S3, scheme, URI.create(endpoint), region, "bucket",
                false, "key", SECRET));
    }

    @Test
    void aSecretMayHoldRawSlashesAndAtSigns() {
        StorageDsn parsed = StorageDsn.parse("s3://key:pa/ss@w?rd@host/bucket");

        assertThat(parsed).extracting(StorageDsn::secretKey, StorageDsn::endpoint, StorageDsn::bucket)
                .containsExactly("pa/ss@w?rd", URI.create("https://host"), "bucket");
    }

    @Test
    void anUnknownSchemeIsRefusedNamingItAndTheKey() {
        assertThatThrownBy(() -> StorageDsn.parse("ftp://user:" + SECRET + "@host/x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hearth.storage.dsn (OPR_EXECUTOR_CONNECTION_STORAGE)")
                .hasMessageContaining("unknown storage scheme 'ftp'")
                .hasMessageNotContaining(SECRET);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "no-scheme-" + SECRET,
            "s3://key:" + SECRET + "@host",
            "s3://key:" + SECRET + "%zz@host/b",
            "s3://key:" + SECRET + "@host:notaport/b",
            "s3://key:" + SECRET + "@/b?url=" + SECRET,
            "dospaces://key:" + SECRET + "@/b",
            "wasabi://key:" + SECRET + "@/?region=eu-1",
            "ht tp://key:" + SECRET + "@host/b"})
    void noErrorQuotesTheSecret(String dsn) {
        Throwable error = catchThrowable(() -> StorageDsn.parse(dsn));

        assertThat(error).as("error for a malformed DSN").isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hearth.storage.dsn");
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            assertThat(cause.getMessage()).as("message of %s", cause).doesNotContain(SECRET);
        }
    }

    @Test
    void toStringShowsNeitherKeyNorSecret() {
        String shown = StorageDsn.parse("s3://THEKEY:" + SECRET + "@minio:9000/b?insecure=true").toString();

        assertThat(shown).contains("s3", "b", "http://minio:9000").doesNotContain("THEKEY").doesNotContain(SECRET);
    }
}
