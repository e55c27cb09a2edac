package dev.hearth.pool;

import java.time.Duration;

/** No pod of an image pool became available within the acquire timeout (the wait in the pending queue). */
public final class AcquireTimeoutException extends RuntimeException {

    public AcquireTimeoutException(String image, Duration waited) {
        super("Timed out after " + waited.toMillis() + " ms waiting for a warm pod of image '" + image + "'.");
    }
}
