package dev.hearth.runner.testing.docker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.testcontainers.images.builder.Transferable;

/**
 * A directory put into a build context as it is on disk: symbolic links as links, modes and modification times
 * kept. Testcontainers' own {@code withFileFromPath} resolves links to their targets (a link's name is lost), which
 * a distribution with links would not survive; the mtimes matter to the runner's class archive, which JDK 17 maps
 * only if every jar has the mtime recorded when it was made.
 */
final class DirectoryTree implements Transferable {

    private final Path root;

    DirectoryTree(Path root) {
        this.root = root;
    }

    @Override
    public void transferTo(TarArchiveOutputStream tar, String destination) {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(root)) {
            paths = walk.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Path path : paths) {
            String relative = root.relativize(path).toString();
            String name = relative.isEmpty() ? destination : destination + "/" + relative;
            try {
                put(tar, path, name);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot put " + path + " into the build context", e);
            }
        }
    }

    private static void put(TarArchiveOutputStream tar, Path path, String name) throws IOException {
        PosixFileAttributes attributes = Files.readAttributes(path, PosixFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS);
        TarArchiveEntry entry;
        if (attributes.isSymbolicLink()) {
            entry = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
            entry.setLinkName(Files.readSymbolicLink(path).toString());
        } else if (attributes.isDirectory()) {
            entry = new TarArchiveEntry(name + "/");
        } else {
            entry = new TarArchiveEntry(name);
            entry.setSize(attributes.size());
        }
        entry.setMode((entry.isDirectory() ? 040000 : entry.isSymbolicLink() ? 0120000 : 0100000)
                | mode(attributes.permissions()));
        entry.setModTime(attributes.lastModifiedTime());
        tar.putArchiveEntry(entry);
        if (attributes.isRegularFile()) {
            Files.copy(path, tar);
        }
        tar.closeArchiveEntry();
    }

    private static int mode(Set<PosixFilePermission> permissions) {
        int mode = 0;
        for (PosixFilePermission permission : permissions) {
            mode |= 1 << (8 - permission.ordinal());
        }
        return mode;
    }

    @Override
    public long getSize() {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).mapToLong(DirectoryTree::size).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public byte[] getBytes() {
        throw new UnsupportedOperationException("a directory is only transferred into a tar");
    }

    @Override
    public String getDescription() {
        return "directory " + root;
    }
}
