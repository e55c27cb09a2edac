package dev.hearth.pool.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SocketDirectoriesTest {

    @TempDir
    Path dir;

    @Test
    void theInstallationsDirectoryIsPrivateAndEachPodsIsOpenToItsUser() throws IOException {
        SocketDirectories sockets = new SocketDirectories(config(dir));

        sockets.prepare();
        Path pod = sockets.create("hearth-test-0123456789ab");

        assertThat(Files.getPosixFilePermissions(dir.resolve("test"))).as("the installation's directory")
                .isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(pod).as("named by the pod id's random part").isEqualTo(dir.resolve("test/0123456789ab"));
        assertThat(Files.getPosixFilePermissions(pod)).as("a pod's directory, whoever its user")
                .isEqualTo(PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThat(new RunnerAccess.Socket(pod).address()).isEqualTo("unix:" + pod.resolve("runner.sock"));
    }

    @Test
    void removalTakesTheSocketAndWhatAFunctionLeftButNothingOutside() throws IOException {
        SocketDirectories sockets = new SocketDirectories(config(dir));
        sockets.prepare();
        Path pod = sockets.create("hearth-test-0123456789ab");
        Path outside = Files.writeString(dir.resolve("outside.txt"), "keep");
        Files.writeString(pod.resolve("runner.sock"), "");
        Files.createDirectories(pod.resolve("left/by/a/function"));
        Files.createSymbolicLink(pod.resolve("link"), outside);

        sockets.remove(pod);
        sockets.remove(pod);

        assertThat(pod).as("removed, idempotently").doesNotExist();
        assertThat(outside).as("a link's target is not followed").hasContent("keep");
        assertThat(sockets.count()).isZero();
        assertThatThrownBy(() -> sockets.remove(dir)).hasMessageContaining("is not under");
    }

    @Test
    void startRemovesWhatAPreviousRunLeft() throws IOException {
        SocketDirectories previous = new SocketDirectories(config(dir));
        previous.prepare();
        Files.writeString(previous.create("hearth-test-aaaaaaaaaaaa").resolve("runner.sock"), "");
        previous.create("hearth-test-bbbbbbbbbbbb");

        assertThat(new SocketDirectories(config(dir)).prepare()).as("directories removed at start").isEqualTo(2);
        assertThat(previous.count()).isZero();
    }

    private static DockerDriverConfig config(Path socketDir) {
        return new DockerDriverConfig("unix:///run/docker.sock", "test",
                new DockerDriverConfig.RunnerPath(Path.of("/srv/hearth-dist")), 8080,
                DockerDriverConfig.AddressRange.parse("127.0.0.2-127.0.0.9"), Duration.ofSeconds(5), socketDir);
    }
}
