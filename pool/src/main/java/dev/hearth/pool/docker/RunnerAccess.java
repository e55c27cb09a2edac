package dev.hearth.pool.docker;

import java.nio.file.Path;

import dev.hearth.runner.client.RunnerTarget;

/**
 * How the gateway reaches a pod's runner: on a loopback address of the host's network (a pool on the {@code host}
 * network), or through a Unix domain socket in a host directory bind-mounted into the container (any other network,
 * where the container has a network namespace of its own).
 */
public sealed interface RunnerAccess {

    /** The runner's address as {@link RunnerTarget} takes it. */
    String address();

    /** The runner listens on {@code address} (127.0.0.N) of the host's network. */
    record Loopback(String address) implements RunnerAccess {
    }

    /** The runner listens on {@link SocketDirectories#SOCKET_NAME} in {@code directory}, mounted at {@link SocketDirectories#MOUNT}. */
    record Socket(Path directory) implements RunnerAccess {
        @Override
        public String address() {
            return RunnerTarget.socketAddress(directory.resolve(SocketDirectories.SOCKET_NAME).toString());
        }
    }
}
