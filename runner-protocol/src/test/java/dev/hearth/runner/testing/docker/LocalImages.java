package dev.hearth.runner.testing.docker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * The Docker Engine the container tests run on, and the images they build on it, for every module (through the
 * runner-protocol test-jar).
 *
 * <p>The engine is the one {@code DOCKER_HOST} names: {@code .ci/run} starts a private one
 * ({@code .ci/docker-engine}), with {@code TESTCONTAINERS_HOST_OVERRIDE=localhost} and
 * {@code TESTCONTAINERS_RYUK_DISABLED=true}. There is no registry: every image is built here, from the local bases
 * {@code docker/bases.sh} imports ({@link #DEBIAN}, {@link #BUSYBOX}), with the build's network the host's (there
 * is no bridge; apt needs the network). A test that needs the engine or a base and does not find it FAILS, naming
 * what to run: a container test never skips.
 *
 * <p>Images are built with fixed tags and kept ({@code deleteOnExit} off), so the engine's layer cache makes a
 * second build of an unchanged Dockerfile and context take a second; {@code .ci/docker-engine stop} prunes the
 * dangling images that rebuilds leave.
 */
public final class LocalImages {

    /** {@code debootstrap --variant=minbase bookworm}, imported by {@code docker/bases.sh}. */
    public static final String DEBIAN = "hearth-local/debian:bookworm";
    /** Debian's busybox-static, every applet linked, imported by {@code docker/bases.sh}. */
    public static final String BUSYBOX = "hearth-local/busybox:1";

    private static final String HOW_TO_START = "run the tests through .ci/run (it starts a Docker Engine and makes"
            + " the base images), or start one yourself: eval \"$(.ci/docker-engine start)\" && docker/bases.sh";

    private LocalImages() {
    }

    /** True when a Docker Engine answers (Testcontainers' discovery: {@code DOCKER_HOST}, then the usual sockets). */
    public static boolean engineReachable() {
        return DockerClientFactory.instance().isDockerAvailable();
    }

    /** The engine's client; fails with what to run when no engine answers. */
    public static DockerClient requireEngine() {
        if (!engineReachable()) {
            throw new AssertionError("No Docker Engine is reachable (DOCKER_HOST="
                    + System.getenv().getOrDefault("DOCKER_HOST", "unset") + "): this test runs containers. "
                    + HOW_TO_START);
        }
        return DockerClientFactory.instance().client();
    }

    /** Fails with what to run when the engine lacks a base image. */
    public static void requireBase(String image) {
        DockerClient docker = requireEngine();
        try {
            docker.inspectImageCmd(image).exec();
        } catch (NotFoundException e) {
            throw new AssertionError("The Docker Engine has no image " + image + ", a local base the container tests"
                    + " build on (nothing can be pulled): run docker/bases.sh. " + HOW_TO_START, e);
        }
    }

    /** The checkout's root: the nearest directory up from the working directory that has {@code docker/bases.sh}. */
    public static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("docker/bases.sh"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no docker/bases.sh above " + Path.of("").toAbsolutePath());
    }

    /**
     * The runner's init image ({@code docker/runner/Dockerfile}, {@code --target prebuilt}) on the local busybox, with
     * {@code distribution} (what {@code build-dist.sh} made on the host) at {@code /hearth}, owned by 10001. Built,
     * or found in the layer cache, and tagged {@code hearth-local/runner:test}; answers the tag.
     */
    public static String runnerImage(Path distribution) {
        return dockerfile("hearth-local/runner:test", "docker/runner/Dockerfile")
                .arg("BASE", BUSYBOX)
                .target("prebuilt")
                .file("hearth", distribution)
                .get();
    }

    /** A build of one Dockerfile of the repository, tagged {@code tag}; {@link Build#get()} builds it. */
    public static Build dockerfile(String tag, String dockerfile) {
        return new Build(tag, repositoryRoot().resolve(dockerfile));
    }

    /** One image build: the Dockerfile, build arguments, a target stage, and the files of its context. */
    public static final class Build {

        private final String tag;
        private final Path dockerfile;
        private final Map<String, String> args = new LinkedHashMap<>();
        private final Map<String, Path> context = new LinkedHashMap<>();
        private String target;

        private Build(String tag, Path dockerfile) {
            this.tag = tag;
            this.dockerfile = dockerfile;
        }

        /** {@code --build-arg}; a {@code BASE} naming a local base is checked before the build. */
        public Build arg(String name, String value) {
            args.put(name, value);
            return this;
        }

        public Build target(String stage) {
            this.target = stage;
            return this;
        }

        /** Puts a file or a directory (as it is on disk: links, modes and mtimes kept) into the context at {@code path}. */
        public Build file(String path, Path source) {
            context.put(path, source);
            return this;
        }

        /**
         * Builds the image (the classic builder, through the Docker API) and answers its tag. The Dockerfile goes
         * into the context as a file, not through Testcontainers' {@code withDockerfile}, which would try to pull
         * every image named in a {@code FROM}, also of stages the target never reaches.
         */
        public String get() {
            String base = args.get("BASE");
            if (base != null && base.startsWith("hearth-local/")) {
                requireBase(base);
            } else {
                requireEngine();
            }
            ImageFromDockerfile image = new ImageFromDockerfile(tag, false)
                    .withFileFromPath("Dockerfile", dockerfile)
                    .withBuildArgs(args)
                    .withBuildImageCmdModifier(cmd -> cmd.withNetworkMode("host").withPull(false));
            context.forEach((path, source) -> {
                if (Files.isDirectory(source)) {
                    image.withFileFromTransferable(path, new DirectoryTree(source));
                } else {
                    image.withFileFromPath(path, source);
                }
            });
            if (target != null) {
                image.withTarget(target);
            }
            long started = System.nanoTime();
            String built = image.get();
            System.out.printf("built %s from %s%s in %.1f s%n", built, repositoryRoot().relativize(dockerfile),
                    target == null ? "" : " (target " + target + ")", (System.nanoTime() - started) / 1e9);
            return built;
        }
    }
}
