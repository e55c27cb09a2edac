package dev.hearth.pool;

/** A runtime asked for an image no pool serves, and none may be made for it. */
public final class UnknownImageException extends RuntimeException {

    public UnknownImageException(String image, java.util.Collection<String> known) {
        super("No pool is configured for image '" + image + "'. Configured images: " + String.join(", ", known) + ".");
    }

    /** @param message says why, and what would serve the image */
    public UnknownImageException(String message) {
        super(message);
    }
}
