package dev.hearth.gateway.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;

import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

import dev.hearth.gateway.storage.S3Settings;
import dev.hearth.gateway.storage.StorageDsn;
import dev.hearth.gateway.storage.StoragePaths;

/**
 * {@code hearth.storage.s3.*}: the S3 device. The connection ({@code endpoint}, {@code region}, {@code bucket},
 * {@code path-style}, keys) comes from here, or from {@code hearth.storage.dsn} when that names S3; the tuning
 * ({@code key-prefix}, {@code part-size}, {@code read-retries}, timeouts) applies either way.
 *
 * @param endpoint       an S3-compatible endpoint, {@code http(s)://host[:port]}; empty for AWS itself
 * @param region         the signing region
 * @param bucket         the bucket holding every object
 * @param keyPrefix      prepended to every key ({@code a/b} → keys {@code a/b/storage/...}); empty for none
 * @param pathStyle      path-style addressing ({@code host/bucket/key}), which most S3-compatible servers need
 * @param accessKey      static credentials with {@code secret-key}; both empty for the SDK's default chain
 *                       (environment, profile, web identity, instance role)
 * @param secretKey      never printed
 * @param partSize       part size of multipart uploads, 5MB to 1GB; a write holds at most two parts in memory
 * @param readRetries    attempts after the first for a read failing before its first byte (connect error, 5xx)
 * @param connectTimeout connecting to the endpoint
 * @param readTimeout    the longest silence of the endpoint within a request or a response
 */
public record S3StorageProperties(String endpoint,
                                  @DefaultValue("us-east-1") String region,
                                  String bucket,
                                  String keyPrefix,
                                  @DefaultValue("true") boolean pathStyle,
                                  String accessKey,
                                  String secretKey,
                                  @DefaultValue("8MB") DataSize partSize,
                                  @DefaultValue("2") int readRetries,
                                  @DefaultValue("2s") Duration connectTimeout,
                                  @DefaultValue("30s") Duration readTimeout) {

    public S3StorageProperties {
        endpoint = endpoint == null ? "" : endpoint.trim();
        bucket = bucket == null ? "" : bucket.trim();
        keyPrefix = keyPrefix == null ? "" : keyPrefix.trim();
        accessKey = accessKey == null ? "" : accessKey;
        secretKey = secretKey == null ? "" : secretKey;
        if (!endpoint.isEmpty()) {
            endpointUri(endpoint);
        }
        if (region == null || region.isBlank()) {
            throw new IllegalArgumentException("hearth.storage.s3.region must be set");
        }
        if (keyPrefix.matches("(.*/)?\\.\\.(/.*)?")) {
            throw new IllegalArgumentException("hearth.storage.s3.key-prefix must not contain '..' segments, but was '"
                    + keyPrefix + "'");
        }
        if (accessKey.isEmpty() != secretKey.isEmpty()) {
            throw new IllegalArgumentException("hearth.storage.s3.access-key and hearth.storage.s3.secret-key must be "
                    + "set together (both empty: the default credential chain)");
        }
        long part = partSize == null ? 0 : partSize.toBytes();
        if (part < S3Settings.MIN_PART_SIZE || part > S3Settings.MAX_PART_SIZE) {
            throw new IllegalArgumentException("hearth.storage.s3.part-size must be between 5MB and 1GB, but was "
                    + partSize);
        }
        if (readRetries < 0 || readRetries > 10) {
            throw new IllegalArgumentException("hearth.storage.s3.read-retries must be between 0 and 10, but was "
                    + readRetries);
        }
        Durations.requirePositive("hearth.storage.s3.connect-timeout", connectTimeout);
        Durations.requirePositive("hearth.storage.s3.read-timeout", readTimeout);
    }

    /** Whether any connection key is set, which a DSN naming S3 would contradict. */
    boolean connectionConfigured() {
        return !endpoint.isEmpty() || !bucket.isEmpty() || !accessKey.isEmpty();
    }

    /** The device's settings from these keys. */
    S3Settings settings() {
        if (bucket.isEmpty()) {
            throw new IllegalArgumentException("hearth.storage.s3.bucket must be set for the s3 device");
        }
        return new S3Settings(endpoint.isEmpty() ? null : endpointUri(endpoint), region, bucket, keyPrefix,
                pathStyle, accessKey, secretKey, (int) partSize.toBytes(), readRetries, connectTimeout, readTimeout);
    }

    /** The device's settings: connection from {@code dsn}, tuning from these keys. */
    S3Settings settings(StorageDsn dsn) {
        return new S3Settings(dsn.endpoint(), dsn.region(), dsn.bucket(), keyPrefix, dsn.pathStyle(),
                dsn.accessKey(), dsn.secretKey(), (int) partSize.toBytes(), readRetries, connectTimeout, readTimeout);
    }

    @Override
    public String toString() {
        return "S3StorageProperties[endpoint=" + endpoint + ", region=" + region + ", bucket=" + bucket
                + ", keyPrefix=" + keyPrefix + ", pathStyle=" + pathStyle + ", credentials="
                + (accessKey.isEmpty() ? "<default chain>" : "<static, redacted>") + ", partSize=" + partSize
                + ", readRetries=" + readRetries + ", connectTimeout=" + connectTimeout + ", readTimeout="
                + readTimeout + "]";
    }

    private static URI endpointUri(String endpoint) {
        try {
            URI uri = new URI(endpoint);
            if (uri.getHost() != null && ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                    && uri.getRawUserInfo() == null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw new IllegalArgumentException("hearth.storage.s3.endpoint must be an http(s) URL with a host and no "
                + "user info, but was '" + endpoint + "'");
    }
}
