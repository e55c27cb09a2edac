package dev.hearth.runner.testing;

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
 * The runner distribution every test that runs the real runner uses (runner-protocol's distribution and image tests,
 * the Docker driver's tests in pool and gateway): built by {@code docker/runner/build-dist.sh} from the runner jars
 * this build packaged. A build takes 20 to 60 s, so it is made once per build of the jars and shared by the modules:
 * it lives in {@code runner-protocol/target/runner-dist}, with a stamp of its inputs (the jars' and the script's
 * names, sizes and modification times) that says whether it is current.
 *
 * <p>Callers only read it: a test that changes a distribution installs a copy first. Paths come from failsafe's
 * system properties ({@code hearth.runner.jar}, {@code hearth.runner.lib}, {@code hearth.runner.build-dist},
 * {@code hearth.runner.dist-cache}; see the modules' poms). The modules' failsafe runs follow one another in a
 * build, so one JVM at a time builds it; within a JVM the build is synchronized.
 */
public final class TestDistribution {

    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);

    private TestDistribution() {
    }

    /** The distribution directory (its {@code runner} is the launcher), built first when it is not current. */
    public static synchronized Path current() {
        try {
            Path cache = Files.createDirectories(Path.of(property("hearth.runner.dist-cache")));
            Path dist = cache.resolve("hearth");
            Path stampFile = cache.resolve("stamp");
            List<String> jars = jars();
            String stamp = stamp(jars);
            if (Files.isExecutable(dist.resolve("runner")) && Files.exists(stampFile)
                    && Files.readString(stampFile).equals(stamp)) {
                return dist;
            }
            Files.deleteIfExists(stampFile);
            deleteTree(dist);
            Path building = Files.createTempDirectory(cache, "building-");
            List<String> command = new ArrayList<>(List.of("bash", property("hearth.runner.build-dist"), "--out",
                    building.resolve("hearth").toString()));
            command.addAll(jars);
            long started = System.nanoTime();
            // The JRE is linked from the JDK running this test, which is the one the runner was built for.
            Shell.run(BUILD_TIMEOUT, Map.of("JAVA_HOME", System.getProperty("java.home")), null,
                    command.toArray(String[]::new));
            Files.move(building.resolve("hearth"), dist, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(building);
            Files.writeString(stampFile, stamp);
            System.out.printf("built the runner distribution for the tests in %d s%n",
                    Duration.ofNanos(System.nanoTime() - started).toSeconds());
            return dist;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The packaged runner jar first, then its libraries, sorted. */
    public static List<String> jars() throws IOException {
        Path runnerJar = Path.of(property("hearth.runner.jar"));
        if (!Files.isRegularFile(runnerJar)) {
            throw new AssertionError("the packaged runner jar " + runnerJar + " is missing: run this test through"
                    + " `./mvnw verify` with runner-protocol in the build (-am)");
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

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        if (value == null) {
            throw new AssertionError("system property " + name + " is not set: run this test through"
                    + " `./mvnw verify` (failsafe sets it, see the module's pom.xml)");
        }
        return value;
    }
}
