package dev.hearth.gateway.storage;

/**
 * A failure of a {@link Storage} operation, naming the device ({@link Storage#describe()}) and the path as the
 * caller gave it. Messages never carry credentials.
 */
public abstract sealed class StorageException extends RuntimeException
        permits ObjectNotFoundException, PathOutsideStorageException, StorageUnavailableException {

    private final String device;
    private final String path;

    StorageException(String device, String path, String message, Throwable cause) {
        super(message, cause);
        this.device = device;
        this.path = path;
    }

    /** The device, as {@link Storage#describe()} names it. */
    public String device() {
        return device;
    }

    /** The path as the caller named it. */
    public String path() {
        return path;
    }
}
