package dev.hearth.gateway.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local device: the contract, plus what a directory adds (symbolic links, directories, the root). */
class LocalStorageTest extends StorageContract {

    @TempDir
    Path base;

    private Path root;
    private LocalStorage storage;

    @BeforeEach
    void device() {
        root = base.resolve("root");
        storage = new LocalStorage(root);
    }

    @Override
    protected Storage storage() {
        return storage;
    }

    @Override
    protected long severalParts() {
        return 3 * 1024 * 1024 + 12345;
    }

    @Override
    protected boolean exists(String path) {
        return Files.isRegularFile(root.resolve(StoragePaths.relative(path, "test")));
    }

    @Override
    protected List<String> leftovers() {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".part"))
                    .map(Path::toString)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void theRootIsCreatedAndDescribed() {
        assertThat(root).as("root").isDirectory();
        assertThat(storage.describe()).as("description").isEqualTo("local directory " + storage.root());
    }

    @Test
    void anAbsolutePathMapsUnderTheRootNotOntoTheHost() throws IOException {
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/passwd"), "inside the root");

        assertThat(readText("/etc/passwd")).as("/etc/passwd on the device").isEqualTo("inside the root");
        assertThat(storage.write("/storage/builds/a/x.gz", text("x")).block(WAIT)).isNotNull();
        assertThat(root.resolve("storage/builds/a/x.gz")).as("written file").hasContent("x");
    }

    @Test
    void aSymbolicLinkLeadingOutOfTheRootIsRefusedForReading() throws IOException {
        Path outside = Files.writeString(base.resolve("secret.txt"), "outside");
        Files.createSymbolicLink(root.resolve("link.gz"), outside);

        assertThat(catchError(storage.read("/link.gz"))).as("read through the link")
                .isInstanceOf(PathOutsideStorageException.class)
                .hasMessageContaining("symbolic link");
    }

    @Test
    void aLinkedDirectoryLeadingOutOfTheRootIsRefusedForWriting() throws IOException {
        Path outside = Files.createDirectories(base.resolve("elsewhere"));
        Files.createSymbolicLink(root.resolve("builds"), outside);

        assertThat(catchError(storage.write("/builds/new/x.gz", text("x")))).as("write through the link")
                .isInstanceOf(PathOutsideStorageException.class);
        assertThat(catchError(storage.write("/builds/x.gz", text("x")))).as("write into the linked directory")
                .isInstanceOf(PathOutsideStorageException.class);
        try (Stream<Path> files = Files.list(outside)) {
            assertThat(files).as("files outside the root").isEmpty();
        }
    }

    @Test
    void aLinkInsideTheRootIsFollowed() throws IOException {
        Files.writeString(root.resolve("real.gz"), "real");
        Files.createSymbolicLink(root.resolve("alias.gz"), root.resolve("real.gz"));

        assertThat(readText("/alias.gz")).as("read through an inner link").isEqualTo("real");
    }

    @Test
    void aDirectoryIsNotAnObject() throws IOException {
        Files.createDirectories(root.resolve("storage/functions"));

        assertThat(catchError(storage.read("/storage/functions"))).as("read of a directory")
                .isInstanceOf(ObjectNotFoundException.class);
    }

    @Test
    void aCancelArrivingAfterTheCommitDeletesTheObject() throws IOException {
        Path target = Files.createDirectories(root.resolve("c")).resolve("x.gz");
        LocalUpload upload = LocalUpload.open(storage.describe(), "/c/x.gz", target);
        upload.append(io.netty.buffer.Unpooled.copiedBuffer(new byte[] {1, 2, 3}));
        upload.commit();
        assertThat(target).as("committed object").exists();

        upload.cancelled().block(WAIT);

        assertThat(target).as("object after the late cancel").doesNotExist();
        assertThat(leftovers()).as("left behind").isEmpty();
    }
}
