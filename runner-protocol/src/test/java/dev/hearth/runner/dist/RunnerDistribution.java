package dev.hearth.runner.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

import dev.hearth.runner.testing.Shell;
import dev.hearth.runner.testing.TestDistribution;

/**
 * The runner distribution ({@link TestDistribution}, built once per build of the jars and shared with the Docker
 * tests of the other modules), installed the way a pod's init container installs it: {@code cp -Rp /hearth/.
 * /opt/hearth/} with busybox, which keeps modes and mtimes (the runner's class archive, {@code app/runner.jsa},
 * needs the jars' mtimes).
 *
 * <p>Paths come from failsafe's system properties (runner-protocol/pom.xml).
 */
record RunnerDistribution(Path built, Path installed) {

    private static RunnerDistribution shared;

    /**
     * The distribution every test of this JVM uses ({@link RunnerDistributionIT}, {@link RunnerImageIT}), installed
     * in a work directory of its own whose copy is deleted when the JVM exits.
     */
    static synchronized RunnerDistribution shared() throws IOException {
        if (shared == null) {
            Path work = newWorkDir();
            shared = install(work);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    deleteRecursively(work.resolve("opt-hearth"));
                } catch (IOException e) {
                    System.err.println("could not delete the runner distribution under " + work + ": " + e);
                }
            }, "runner-dist-cleanup"));
        }
        return shared;
    }

    /**
     * A directory of its own under {@code target/runner-dist-it} for one test run: builds in one checkout may
     * run concurrently.
     */
    static Path newWorkDir() throws IOException {
        Path base = Files.createDirectories(Path.of(property("hearth.runner.dist-work")));
        return Files.createTempDirectory(base, "run-");
    }

    private static RunnerDistribution install(Path work) throws IOException {
        assertThat(TestDistribution.jars()).as("runner jars").anyMatch(j -> j.contains("slf4j-simple"));
        Path dist = TestDistribution.current();
        assertThat(dist.resolve("app/runner.jsa")).as("the runner's class archive").isNotEmptyFile();
        return new RunnerDistribution(dist, install(dist, work.resolve("opt-hearth"), "-Rp"));
    }

    /** A copy installed with plain {@code cp -R}, as the init container did before: the jars' mtimes are lost. */
    RunnerDistribution installedWithoutMtimes(Path target) throws IOException {
        return new RunnerDistribution(built, install(installed, target, "-R"));
    }

    private static Path install(Path dist, Path target, String cpFlags) throws IOException {
        Files.createDirectory(target);
        Shell.run(Duration.ofMinutes(1), Prerequisites.BUSYBOX.toString(), "cp", cpFlags, dist + "/.", target + "/");
        assertThat(target.resolve("runner")).as("installed launcher").isExecutable();
        return target;
    }

    long sizeBytes() throws IOException {
        try (Stream<Path> files = Files.walk(installed)) {
            return files.filter(Files::isRegularFile).mapToLong(RunnerDistribution::size).sum();
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        if (value == null) {
            throw new AssertionError("system property " + name + " is not set: run this test through"
                    + " `./mvnw verify` (failsafe sets it, see runner-protocol/pom.xml)");
        }
        return value;
    }

    static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
