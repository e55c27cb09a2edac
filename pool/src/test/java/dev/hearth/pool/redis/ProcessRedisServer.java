package dev.hearth.pool.redis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code redis-server} as a local process: {@code $REDIS_SERVER} or {@code redis-server} on the PATH. When it is
 * missing the tests FAIL with instructions: an absent Redis must never look like a green build. Pause and resume
 * are SIGSTOP and SIGCONT.
 */
final class ProcessRedisServer implements RedisServer {

    private final int port;
    private final Path dir;
    private Process process;

    ProcessRedisServer(int port, Path dir) {
        this.port = port;
        this.dir = dir;
    }

    @Override
    public synchronized void start() throws IOException {
        if (running()) {
            return;
        }
        process = new ProcessBuilder(binary(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir.toString(),
                "--logfile", log().toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.out").toFile())
                .start();
    }

    @Override
    public synchronized void kill() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    @Override
    public synchronized void pause() {
        signal("-STOP");
    }

    @Override
    public synchronized void resume() {
        signal("-CONT");
    }

    @Override
    public synchronized boolean running() {
        return process != null && process.isAlive();
    }

    @Override
    public String logTail() {
        try {
            if (!Files.exists(log())) {
                return "(no log)";
            }
            List<String> lines = Files.readAllLines(log());
            return (process != null && !process.isAlive() ? "exited with " + process.exitValue() + "; " : "")
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    @Override
    public void close() {
        kill();
    }

    private Path log() {
        return dir.resolve("redis.log");
    }

    private void signal(String signal) {
        if (process == null) {
            throw new IllegalStateException("redis-server is not running");
        }
        try {
            int exit = new ProcessBuilder("kill", signal, Long.toString(process.pid())).start().waitFor();
            if (exit != 0) {
                throw new IllegalStateException("kill " + signal + " of redis-server failed with " + exit);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot signal redis-server", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String binary() {
        String configured = System.getenv("REDIS_SERVER");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String entry : path.split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(entry, "redis-server");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new IllegalStateException("redis-server is not installed (not on PATH, REDIS_SERVER unset): the Redis"
                + " integration tests need it when no Docker Engine is reachable. Install it with"
                + " 'apt-get install -y redis-server' (or brew install redis) or point REDIS_SERVER at the binary.");
    }
}
