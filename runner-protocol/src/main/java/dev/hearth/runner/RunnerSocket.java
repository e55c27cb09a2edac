package dev.hearth.runner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import io.netty.channel.unix.DomainSocketAddress;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * Where the runner listens: {@code host:port} on TCP, or the Unix domain socket {@link RunnerConfig#socket()} (a
 * Docker pod with a network namespace of its own, reached through a directory the gateway bind-mounts).
 */
final class RunnerSocket {

    private static final Duration BIND_WAIT = Duration.ofSeconds(30);

    private RunnerSocket() {
    }

    /** Binds {@code server} where the configuration says; blocking. */
    static DisposableServer listen(RunnerConfig config, HttpServer server) {
        Path socket = config.socket();
        if (socket == null) {
            return server.host(config.host()).port(config.port()).bindNow(BIND_WAIT);
        }
        try {
            // A file left at the path (a runner that died) would make the bind fail with "address in use".
            Files.deleteIfExists(socket);
            DisposableServer bound = server.bindAddress(() -> new DomainSocketAddress(socket.toString()))
                    .bindNow(BIND_WAIT);
            // The socket is made with this process's umask; the gateway connects as another user (connecting needs
            // write permission), so it is opened to all. Who may reach it is decided by its directory: the gateway's
            // side keeps the parent 0700, and every call but health still needs the pod secret.
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
            return bound;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + socket, e);
        }
    }

    /** {@code port 8080} or {@code socket /run/hearth/runner.sock}, for logs. */
    static String describe(DisposableServer server) {
        return server.address() instanceof InetSocketAddress address ? "port " + address.getPort()
                : "socket " + server.path();
    }
}
