package dev.hearth.runner.testing.docker;

import java.nio.file.Path;

import com.github.dockerjava.api.DockerClient;

/**
 * The clean-room Open Runtimes runtime images of {@code docker/testing/openruntimes/} (v5 and v2), built on the local
 * Debian base for the tests of every module (through the runner-protocol test-jar). They stand in for the official
 * {@code openruntimes/*} images, which cannot be pulled here; what an executor can see of them is the same (paths,
 * scripts, port 3000, the runtime protocol): see docker/README.md.
 */
public final class OpenRuntimesImages {

    /** The v5 image, built from {@code docker/testing/openruntimes/v5}. */
    public static final String V5 = "hearth-test/openruntimes-v5:test";
    /** The v2 image, built from {@code docker/testing/openruntimes/v2}. */
    public static final String V2 = "hearth-test/openruntimes-v2:test";
    /** The image Appwrite names for a Node function: the tests give the v5 image this tag too, so calls name it as sent. */
    public static final String APPWRITE_NODE = "openruntimes/node:v5-22";

    private OpenRuntimesImages() {
    }

    /** Builds (or finds in the layer cache) the v5 image and tags it {@link #APPWRITE_NODE} too; answers {@link #V5}. */
    public static String v5() {
        String built = build(V5, "v5");
        DockerClient docker = LocalImages.requireEngine();
        int colon = APPWRITE_NODE.lastIndexOf(':');
        docker.tagImageCmd(built, APPWRITE_NODE.substring(0, colon), APPWRITE_NODE.substring(colon + 1)).exec();
        return built;
    }

    /** Builds (or finds in the layer cache) the v2 image; answers {@link #V2}. */
    public static String v2() {
        return build(V2, "v2");
    }

    private static String build(String tag, String version) {
        Path dir = LocalImages.repositoryRoot().resolve("docker/testing/openruntimes").resolve(version);
        LocalImages.Build build = LocalImages.dockerfile(tag, "docker/testing/openruntimes/" + version + "/Dockerfile")
                .arg("BASE", LocalImages.DEBIAN)
                .file("src", dir.resolve("src"));
        if (version.equals("v5")) {
            build.file("helpers", dir.resolve("helpers"));
        }
        return build.get();
    }
}
