package dev.hearth.pool.docker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The runner distribution the Docker tests mount at {@code /opt/hearth}: built by {@code docker/runner/build-dist.sh}
 * from the runner jars this build packaged, as {@code RunnerDistributionIT} builds it. It takes about a minute, so it
 * is built once per run of the build and shared by the pool's and the gateway's tests: a stamp of the jars (names,
 * sizes, modification times) and the script says whether the one on disk is current. Paths come from failsafe's
 * system properties (pool/pom.xml, gateway/pom.xml).
 */
final class TestDistribution {

    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);

    private TestDistribution() {
    }

    /** The distribution directory (its {@code runner} is the launcher), built first if it is not current. */
    static synchronized Path current() {
        try {
            Path cache = Files.createDirectories(Path.of(property("hearth.docker.test-dist")));
            Path dist = cache.resolve("hearth");
            Path stampFile = cache.resolve("stamp");
            List<String> jars = jars();
            String stamp = stamp(jars);
            if (Files.isExecutable(dist.resolve("runner")) && Files.exists(stampFile)
                    && Files.readString(stampFile).equals(stamp)) {
                return dist;
            }
            deleteTree(dist);
            Path building = Files.createTempDirectory(cache, "building-");
            List<String> command = new ArrayList<>(List.of("bash", property("hearth.runner.build-dist"), "--out",
                    building.resolve("hearth").toString()));
            command.addAll(jars);
            long started = System.nanoTime();
            HostCommand.run(BUILD_TIMEOUT, Map.of("JAVA_HOME", System.getProperty("java.home")),
                    command.toArray(String[]::new));
            Files.move(building.resolve("hearth"), dist, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(building);
            Files.writeString(stampFile, stamp);
            System.out.printf("built the runner distribution for the Docker tests in %d s%n",
                    Duration.ofNanos(System.nanoTime() - started).toSeconds());
            return dist;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> jars() throws IOException {
        Path runnerJar = Path.of(property("hearth.runner.jar"));
        if (!Files.isRegularFile(runnerJar)) {
            throw new AssertionError("the packaged runner jar " + runnerJar + " is missing: run the Docker tests"
                    + " through `./mvnw verify` with runner-protocol in the build (-am)");
        }
        List<String> jars = new ArrayList<>(List.of(runnerJar.toString()));
        try (Stream<Path> lib = Files.list(Path.of(property("hearth.runner.lib")))) {
            lib.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(p -> jars.add(p.toString()));
        }
        return jars;
    }

    private static String stamp(List<String> jars) throws IOException {
        StringBuilder stamp = new StringBuilder();
        List<Path> inputs = new ArrayList<>(jars.stream().map(Path::of).toList());
        inputs.add(Path.of(property("hearth.runner.build-dist")));
        for (Path input : inputs) {
            stamp.append(input.getFileName()).append(' ').append(Files.size(input)).append(' ')
                    .append(Files.getLastModifiedTime(input).toMillis()).append('\n');
        }
        return stamp.toString();
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    static String property(String name) {
        String value = System.getProperty(name);
        if (value == null) {
            throw new AssertionError("system property " + name + " is not set: run the Docker tests through"
                    + " `./mvnw verify` (failsafe sets it, see pool/pom.xml)");
        }
        return value;
    }
}
