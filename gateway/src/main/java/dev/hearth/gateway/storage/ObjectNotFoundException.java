package dev.hearth.gateway.storage;

/** There is no object at the path on the device (a missing file, an S3 {@code NoSuchKey}). */
public final class ObjectNotFoundException extends StorageException {

    public ObjectNotFoundException(String device, String path) {
        super(device, path, "'" + path + "' was not found on " + device + ".", null);
    }
}
