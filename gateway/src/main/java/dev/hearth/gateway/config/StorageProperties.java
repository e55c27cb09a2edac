package dev.hearth.gateway.config;

import org.springframework.boot.context.properties.bind.DefaultValue;

import dev.hearth.gateway.storage.S3Settings;
import dev.hearth.gateway.storage.StorageDevice;
import dev.hearth.gateway.storage.StorageDsn;

/**
 * {@code hearth.storage.*}: the device holding the paths the API names ({@code source}, {@code destination}). The
 * local device's root stays {@code hearth.storage-root} ({@code HEARTH_STORAGE_ROOT}).
 *
 * @param device {@code local} (the default) or {@code s3} ({@link S3StorageProperties s3.*})
 * @param dsn    Open Runtimes' storage DSN ({@code OPR_EXECUTOR_CONNECTION_STORAGE}, {@link StorageDsn}); when set
 *               it chooses the device and gives the S3 connection. Never printed: it carries the secret
 * @param s3     the S3 device
 */
public record StorageProperties(@DefaultValue("local") StorageDevice device,
                                String dsn,
                                @DefaultValue S3StorageProperties s3) {

    public StorageProperties {
        dsn = dsn == null ? "" : dsn.trim();
        if (dsn.isEmpty() && device == StorageDevice.S3 && s3.bucket().isEmpty()) {
            throw new IllegalArgumentException("hearth.storage.s3.bucket must be set when hearth.storage.device is s3");
        }
    }

    /**
     * The device to use: the DSN's when one is set, else {@link #device()}. The DSN is parsed here, when the
     * storage is built, not while binding: a binding failure report prints the value being bound.
     *
     * @throws IllegalArgumentException naming the key, when the DSN is malformed or contradicts the device
     */
    public StorageDevice chosenDevice() {
        if (dsn.isEmpty()) {
            return device;
        }
        StorageDsn parsed = StorageDsn.parse(dsn);
        if (device == StorageDevice.S3 && parsed.device() == StorageDevice.LOCAL) {
            throw new IllegalArgumentException("hearth.storage.device is s3 but " + StorageDsn.KEY
                    + " names the local device");
        }
        return parsed.device();
    }

    /**
     * The S3 device's settings: the connection from the DSN when one is set (and then none of
     * {@code hearth.storage.s3}'s connection keys), else from {@code hearth.storage.s3.*}.
     */
    public S3Settings s3Settings() {
        if (dsn.isEmpty()) {
            return s3.settings();
        }
        if (s3.connectionConfigured()) {
            throw new IllegalArgumentException(StorageDsn.KEY + " and hearth.storage.s3.endpoint, bucket or access-key"
                    + " both give the S3 connection: set one of them");
        }
        return s3.settings(StorageDsn.parse(dsn));
    }

    @Override
    public String toString() {
        return "StorageProperties[device=" + device + ", dsn=" + (dsn.isEmpty() ? "" : "<redacted>") + ", s3=" + s3
                + "]";
    }
}
