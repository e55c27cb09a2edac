package dev.hearth.gateway.config;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.hearth.gateway.storage.LocalStorage;
import dev.hearth.gateway.storage.S3Storage;
import dev.hearth.gateway.storage.Storage;

/**
 * The storage device behind {@code source} and {@code destination} paths: a local directory by default
 * ({@code hearth.storage-root}), or an S3 bucket ({@code hearth.storage.device=s3}, or an Open Runtimes DSN in
 * {@code OPR_EXECUTOR_CONNECTION_STORAGE}). Made at startup, so a malformed DSN or S3 setting stops the gateway
 * naming the key; the S3 endpoint itself is first contacted by the first read or write. The S3 device's client is
 * closed at shutdown (Spring calls {@code close()} on an {@link AutoCloseable} bean).
 */
@Configuration(proxyBeanMethods = false)
public class StorageConfiguration {

    private static final Logger log = LoggerFactory.getLogger(StorageConfiguration.class);

    @Bean
    Storage storage(HearthProperties properties) {
        StorageProperties storage = properties.storage();
        Storage device = switch (storage.chosenDevice()) {
            case LOCAL -> new LocalStorage(properties.storageRoot());
            case S3 -> S3Storage.create(storage.s3Settings());
        };
        log.info("Storage: {}", device.describe());
        return device;
    }
}
