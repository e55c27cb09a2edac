package dev.hearth.gateway.storage;

import java.util.ArrayList;
import java.util.List;

/**
 * The one rule that maps a path as the Open Runtimes API names it onto a device, the same for every device.
 *
 * <p>Appwrite sends absolute paths ({@code /storage/builds/app-p1/x.gz}, {@code /storage/functions/...}). The
 * path is split on {@code /}; empty and {@code .} segments are dropped (so the leading {@code /} and doubled
 * slashes vanish); what is left, joined by {@code /}, is the object's <em>relative path</em>
 * ({@code storage/builds/app-p1/x.gz}). On the local device it resolves under the root directory; on S3 it is the
 * key under the bucket, after the optional key prefix. Refused, on every device: a {@code ..} segment (even one
 * that would stay inside), a path with no segment left, and a NUL character.
 */
public final class StoragePaths {

    private StoragePaths() {
    }

    /**
     * The relative path of {@code path} on {@code device} (named in the refusal).
     *
     * @throws PathOutsideStorageException when the path is refused
     */
    public static String relative(String path, String device) {
        if (path == null || path.isEmpty()) {
            throw new PathOutsideStorageException(device, String.valueOf(path), "the path is empty");
        }
        if (path.indexOf('\0') >= 0) {
            throw new PathOutsideStorageException(device, path.replace('\0', '?'), "it contains a NUL character");
        }
        List<String> segments = new ArrayList<>();
        for (String segment : path.split("/")) {
            if (segment.equals("..")) {
                throw new PathOutsideStorageException(device, path, "'..' segments are not allowed");
            }
            if (!segment.isEmpty() && !segment.equals(".")) {
                segments.add(segment);
            }
        }
        if (segments.isEmpty()) {
            throw new PathOutsideStorageException(device, path, "it names no object");
        }
        return String.join("/", segments);
    }

    /**
     * A key prefix in the form keys are built with: no leading {@code /}, one trailing {@code /} unless empty.
     * Its segments follow the rule above ({@code ..} refused).
     */
    public static String prefix(String prefix) {
        if (prefix == null || prefix.isBlank() || prefix.replace("/", "").isEmpty()) {
            return "";
        }
        return relative(prefix, "the key prefix") + "/";
    }
}
