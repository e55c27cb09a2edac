package dev.hearth.runner.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The runner distribution built by {@code docker/runner/build-dist.sh} from the packaged jars, then installed the
 * way a pod's init container installs it: {@code cp -Rp /hearth/. /opt/hearth/} with busybox, which keeps modes
 * and mtimes (the runner's class archive, {@code app/runner.jsa}, needs the jars' mtimes).
 *
 * <p>Paths come from failsafe's system properties (runner-protocol/pom.xml).
 */
record RunnerDistribution(Path built, Path installed, String buildOutput) {

    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);

    private static RunnerDistribution shared;

    /**
     * The distribution every test of this JVM uses ({@link RunnerDistributionIT}, {@link RunnerImageIT}): built once
     * (20 to 30 s), in a work directory of its own whose heavy parts are deleted when the JVM exits.
     */
    static synchronized RunnerDistribution shared() throws IOException {
        if (shared == null) {
            Path work = newWorkDir();
            shared = build(work);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    deleteRecursively(work.resolve("hearth"));
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

    static RunnerDistribution build(Path work) throws IOException {
        Path dist = work.resolve("hearth");
        List<String> command = new ArrayList<>(List.of("bash", property("hearth.runner.build-dist"),
                "--out", dist.toString()));
        command.addAll(jars());
        // The JRE is linked from the JDK running this test, which is the one the runner was built for.
        String output = Shell.run(BUILD_TIMEOUT, Map.of("JAVA_HOME", System.getProperty("java.home")), null,
                command.toArray(String[]::new));

        assertThat(dist.resolve("app/runner.jsa")).as("the runner's class archive").isNotEmptyFile();
        return new RunnerDistribution(dist, install(dist, work.resolve("opt-hearth"), "-Rp"), output);
    }

    /** A copy installed with plain {@code cp -R}, as the init container did before: the jars' mtimes are lost. */
    RunnerDistribution installedWithoutMtimes(Path target) throws IOException {
        return new RunnerDistribution(built, install(installed, target, "-R"), buildOutput);
    }

    private static Path install(Path dist, Path target, String cpFlags) throws IOException {
        Files.createDirectory(target);
        Shell.run(Duration.ofMinutes(1), Prerequisites.BUSYBOX.toString(), "cp", cpFlags, dist + "/.", target + "/");
        assertThat(target.resolve("runner")).as("installed launcher").isExecutable();
        return target;
    }

    private static List<String> jars() throws IOException {
        Path runnerJar = Path.of(property("hearth.runner.jar"));
        assertThat(runnerJar).as("packaged runner jar").isRegularFile();
        List<String> jars = new ArrayList<>(List.of(runnerJar.toString()));
        try (Stream<Path> lib = Files.list(Path.of(property("hearth.runner.lib")))) {
            lib.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(p -> jars.add(p.toString()));
        }
        assertThat(jars).as("runner jars").anyMatch(j -> j.contains("slf4j-simple"));
        return jars;
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
