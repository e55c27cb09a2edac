package dev.hearth.runner.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a host command to completion for a test or a fixture; a failure carries the command's output. */
public final class Shell {

    private Shell() {
    }

    public static String run(Duration timeout, String... command) {
        return run(timeout, Map.of(), null, command);
    }

    /**
     * @param extraEnv added to this JVM's environment
     * @param directory working directory, or {@code null} for this JVM's
     */
    public static String run(Duration timeout, Map<String, String> extraEnv, Path directory, String... command) {
        try {
            ProcessBuilder builder = new ProcessBuilder(List.of(command)).redirectErrorStream(true);
            builder.environment().putAll(extraEnv);
            if (directory != null) {
                builder.directory(directory.toFile());
            }
            Process process = builder.start();
            // Output is read on its own thread so that a chatty command cannot block on a full pipe.
            var output = java.util.concurrent.CompletableFuture.supplyAsync(() -> readAll(process));
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout
                        + ":\n" + output.getNow(""));
            }
            String text = output.join();
            if (process.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " exited with " + process.exitValue()
                        + ":\n" + text);
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static String readAll(Process process) {
        try {
            return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(output unreadable: " + e + ")";
        }
    }
}
