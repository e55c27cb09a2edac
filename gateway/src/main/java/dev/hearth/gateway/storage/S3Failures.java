package dev.hearth.gateway.storage;

import java.io.IOException;
import java.util.concurrent.CompletionException;

import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** The S3 device's failure policy: which SDK errors mean what, and which reads are worth another attempt. */
final class S3Failures {

    private S3Failures() {
    }

    /**
     * A read worth retrying: it failed before its first byte (callers retry only the request, never the stream)
     * because the endpoint could not be reached or answered 5xx. A 4xx will not change by asking again.
     */
    static boolean retryable(Throwable error) {
        Throwable e = unwrap(error);
        if (e instanceof S3Exception s3) {
            return s3.statusCode() >= 500;
        }
        return e instanceof SdkClientException && hasCause(e, IOException.class);
    }

    /** A read's failure: no such key → {@link ObjectNotFoundException}; any other SDK error → unavailable. */
    static Throwable read(String device, String path, Throwable error) {
        Throwable e = unwrap(error);
        if (e instanceof NoSuchKeyException
                || e instanceof S3Exception s3 && s3.statusCode() == 404 && !"NoSuchBucket".equals(code(s3))) {
            return new ObjectNotFoundException(device, path);
        }
        return e instanceof SdkException ? new StorageUnavailableException(device, path, "to read", e) : e;
    }

    /** A write's failure: any SDK error → unavailable; the content's own error passes as it is. */
    static Throwable write(String device, String path, Throwable error) {
        Throwable e = unwrap(error);
        return e instanceof SdkException ? new StorageUnavailableException(device, path, "to write", e) : e;
    }

    private static String code(S3Exception e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    private static boolean hasCause(Throwable error, Class<? extends Throwable> type) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return true;
            }
        }
        return false;
    }
}
