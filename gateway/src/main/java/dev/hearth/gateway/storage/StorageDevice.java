package dev.hearth.gateway.storage;

/** The storage devices Hearth has: a local directory, or a bucket of an S3-compatible service. */
public enum StorageDevice { LOCAL, S3 }
