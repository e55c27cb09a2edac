package dev.hearth.gateway.storage;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;

/** Builds the {@link S3AsyncClient} of an {@link S3Settings}: the SDK's Netty NIO HTTP client, no CRT. */
public final class S3Clients {

    private S3Clients() {
    }

    /**
     * A client for {@code settings}. The SDK retries nothing itself: {@link S3Storage} retries reads before their
     * first byte and never a write. Checksums are computed and validated only where S3 requires them, because
     * several S3-compatible services refuse the SDK's default trailing checksums (aws-chunked bodies).
     */
    public static S3AsyncClient create(S3Settings settings) {
        S3AsyncClientBuilder builder = S3AsyncClient.builder()
                .httpClientBuilder(NettyNioAsyncHttpClient.builder()
                        .connectionTimeout(settings.connectTimeout())
                        .readTimeout(settings.readTimeout())
                        .writeTimeout(settings.readTimeout()))
                .region(Region.of(settings.region()))
                .credentialsProvider(credentials(settings))
                .forcePathStyle(settings.pathStyle())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(config -> config.retryStrategy(AwsRetryStrategy.doNotRetry()));
        if (settings.endpoint() != null) {
            builder.endpointOverride(settings.endpoint());
        }
        return builder.build();
    }

    private static AwsCredentialsProvider credentials(S3Settings settings) {
        return settings.staticCredentials()
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey(), settings.secretKey()))
                // Refreshed in the background before they expire, so only the very first resolution blocks.
                : DefaultCredentialsProvider.builder().asyncCredentialUpdateEnabled(true).build();
    }
}
