package dev.hearth.gateway.storage;

import java.util.Objects;

/**
 * An object a {@link Storage} wrote.
 *
 * @param path the path as the caller named it (what the API answers as {@code path}), not the device's key
 * @param size its size in bytes
 */
public record StoredObject(String path, long size) {

    public StoredObject {
        Objects.requireNonNull(path, "path");
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative, but was " + size);
        }
    }
}
