package dev.hearth.gateway.storage;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * How the S3 device reaches its bucket; built from {@code hearth.storage.s3.*} or an Open Runtimes DSN, validated
 * there with the key named. {@link #toString()} never shows the keys.
 *
 * @param endpoint       the S3-compatible endpoint ({@code http://minio:9000}); {@code null} for AWS itself
 * @param region         the signing region ({@code us-east-1} where the endpoint does not care)
 * @param bucket         the bucket holding every object
 * @param keyPrefix      prepended to every key, in {@link StoragePaths#prefix} form ({@code ""} or {@code a/b/})
 * @param pathStyle      {@code http://host/bucket/key} rather than {@code http://bucket.host/key}
 * @param accessKey      static credentials, or {@code ""} (with {@code secretKey}) for the default credential chain
 * @param secretKey      never printed
 * @param partSize       bytes per part of a multipart upload, {@value #MIN_PART_SIZE} to {@value #MAX_PART_SIZE}
 * @param readRetries    how often a read is retried after a connect error or a 5xx before its first byte
 * @param connectTimeout connecting to the endpoint
 * @param readTimeout    the longest silence of the endpoint within a request or response
 */
public record S3Settings(URI endpoint, String region, String bucket, String keyPrefix, boolean pathStyle,
                         String accessKey, String secretKey, int partSize, int readRetries,
                         Duration connectTimeout, Duration readTimeout) {

    /** S3's smallest part but the last: 5 MiB. */
    public static final int MIN_PART_SIZE = 5 * 1024 * 1024;
    /** Hearth's largest part: two are held in memory per write. */
    public static final int MAX_PART_SIZE = 1024 * 1024 * 1024;

    public S3Settings {
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(bucket, "bucket");
        keyPrefix = StoragePaths.prefix(keyPrefix);
        accessKey = accessKey == null ? "" : accessKey;
        secretKey = secretKey == null ? "" : secretKey;
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(readTimeout, "readTimeout");
        if (partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE) {
            throw new IllegalArgumentException("partSize must be between " + MIN_PART_SIZE + " and " + MAX_PART_SIZE
                    + " bytes, but was " + partSize);
        }
        if (readRetries < 0) {
            throw new IllegalArgumentException("readRetries must not be negative, but was " + readRetries);
        }
    }

    /** Whether static keys are given; otherwise the SDK's default credential chain applies. */
    public boolean staticCredentials() {
        return !accessKey.isEmpty();
    }

    /** {@code s3://bucket/prefix/ at http://host:9000}, or {@code … in AWS region eu-west-1}. */
    public String describe() {
        String where = endpoint == null ? " in AWS region " + region : " at " + withoutUserInfo(endpoint);
        return "s3://" + bucket + "/" + keyPrefix + where;
    }

    @Override
    public String toString() {
        return "S3Settings[" + describe() + ", pathStyle=" + pathStyle + ", credentials="
                + (staticCredentials() ? "<static, redacted>" : "<default chain>") + ", partSize=" + partSize
                + ", readRetries=" + readRetries + ", connectTimeout=" + connectTimeout + ", readTimeout="
                + readTimeout + "]";
    }

    private static String withoutUserInfo(URI uri) {
        return uri.getRawUserInfo() == null ? uri.toString()
                : uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                        + Objects.toString(uri.getRawPath(), "");
    }
}
