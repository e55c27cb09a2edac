package dev.hearth.pool;

/** A runtime asked for an image that has no configured pool. */
public final class UnknownImageException extends RuntimeException {

    public UnknownImageException(String image, java.util.Collection<String> known) {
        super("No pool is configured for image '" + image + "'. Configured images: " + String.join(", ", known) + ".");
    }
}
