package dev.hearth.gateway.storage;

/**
 * The path does not name an object inside the device: a {@code ..} segment, a symbolic link leading out of the
 * local root, an empty path, or a character no device accepts. The caller's mistake; nothing was touched.
 */
public final class PathOutsideStorageException extends StorageException {

    public PathOutsideStorageException(String device, String path, String why) {
        super(device, path, "'" + path + "' is not a path on " + device + ": " + why + ".", null);
    }
}
