package dev.hearth.gateway.config;

/** This gateway replica's identity, random per process: a restarted replica starts with fresh counts. */
public record ReplicaId(String value) {
}
