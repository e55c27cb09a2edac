package dev.hearth.runner.archive;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Extracts a gzip-compressed tar into a directory as it is read, never holding it whole. Blocking.
 *
 * <p>Safety rules (PROTOCOL.md, specialize): no absolute names and no {@code ..} segments; symbolic and hard
 * links must resolve inside the target directory; no devices or FIFOs; at most {@link #MAX_ENTRIES} entries
 * and {@link #MAX_UNPACKED_BYTES} of file content. On any violation or read error, the target directory is
 * deleted and {@link ArchiveRejectedException} is thrown.
 *
 * <p>Why link targets are checked physically (following links already extracted) and nothing is ever
 * replaced: a link that is inside when checked could otherwise be made to point outside by a later entry
 * (replace a directory it climbs through with a link to {@code .}). With no replacement, a check made when
 * the link is created stays true.
 */
public final class TarGzExtractor {

    public static final long MAX_UNPACKED_BYTES = 1L << 30;
    public static final int MAX_ENTRIES = 100_000;

    private final long maxBytes;
    private final int maxEntries;

    public TarGzExtractor() {
        this(MAX_UNPACKED_BYTES, MAX_ENTRIES);
    }

    public TarGzExtractor(long maxBytes, int maxEntries) {
        this.maxBytes = maxBytes;
        this.maxEntries = maxEntries;
    }

    /**
     * Extracts {@code archive} into {@code target} (created if missing). An empty stream extracts nothing.
     * Reads the archive to its end so that a streamed request body is fully consumed.
     */
    public void extract(InputStream archive, Path target) throws ArchiveRejectedException, IOException {
        Files.createDirectories(target);
        Path root = target.toRealPath();
        try {
            BufferedInputStream in = new BufferedInputStream(archive, 64 * 1024);
            in.mark(1);
            if (in.read() < 0) {
                return;
            }
            in.reset();
            extractEntries(new TarArchiveInputStream(new GzipCompressorInputStream(in)), root);
            in.transferTo(OutputStream.nullOutputStream());
        } catch (ArchiveRejectedException e) {
            deleteRecursively(target);
            throw e;
        } catch (IOException | RuntimeException e) {
            deleteRecursively(target);
            throw new ArchiveRejectedException("not a valid tar.gz: " + e.getMessage(), e);
        }
    }

    private void extractEntries(TarArchiveInputStream tar, Path root) throws IOException, ArchiveRejectedException {
        long bytes = 0;
        int entries = 0;
        TarArchiveEntry entry;
        while ((entry = tar.getNextEntry()) != null) {
            if (++entries > maxEntries) {
                throw new ArchiveRejectedException("archive has more than " + maxEntries + " entries");
            }
            Path path = resolveEntry(root, entry.getName());
            if (path.equals(root)) {
                continue;
            }
            if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
                // Checked first: commons-compress counts any unknown type as a file.
                throw new ArchiveRejectedException("entry '" + entry.getName()
                        + "' is a device, FIFO or other special file");
            }
            if (entry.isDirectory()) {
                createDirectory(root, path, entry.getMode());
            } else if (entry.isSymbolicLink()) {
                createSymlink(root, path, entry);
            } else if (entry.isLink()) {
                createHardLink(root, path, entry);
            } else if (entry.isFile()) {
                bytes += writeFile(tar, root, path, entry, maxBytes - bytes);
            } else {
                throw new ArchiveRejectedException("entry '" + entry.getName()
                        + "' is a device, FIFO or other special file");
            }
        }
    }

    /** Lexical checks of an entry name: relative, no {@code ..}, stays under root. */
    static Path resolveEntry(Path root, String name) throws ArchiveRejectedException {
        if (name.isEmpty() || name.startsWith("/") || name.indexOf('\0') >= 0 || name.contains("\\")) {
            throw new ArchiveRejectedException("entry name '" + name + "' is absolute or invalid");
        }
        for (String segment : name.split("/")) {
            if (segment.equals("..")) {
                throw new ArchiveRejectedException("entry name '" + name + "' contains '..'");
            }
        }
        Path path = root.resolve(name).normalize();
        if (!path.startsWith(root)) {
            throw new ArchiveRejectedException("entry name '" + name + "' leaves the code directory");
        }
        return path;
    }

    private static Path parentInside(Path root, Path path, String name) throws IOException, ArchiveRejectedException {
        Path parent = path.getParent();
        Files.createDirectories(parent);
        Path realParent = parent.toRealPath();
        if (!realParent.startsWith(root)) {
            throw new ArchiveRejectedException("entry '" + name + "' is written through a link leaving the code directory");
        }
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            throw new ArchiveRejectedException("entry '" + name + "' appears twice");
        }
        return realParent.resolve(path.getFileName());
    }

    private static void createDirectory(Path root, Path path, int mode) throws IOException, ArchiveRejectedException {
        if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Path real = parentInside(root, path, root.relativize(path).toString());
        Files.createDirectory(real);
        Files.setPosixFilePermissions(real, permissions(mode | 0700));
    }

    private static void createSymlink(Path root, Path path, TarArchiveEntry entry)
            throws IOException, ArchiveRejectedException {
        String target = entry.getLinkName();
        Path real = parentInside(root, path, entry.getName());
        if (target.isEmpty() || target.startsWith("/")) {
            throw new ArchiveRejectedException("symlink '" + entry.getName() + "' has absolute target '" + target + "'");
        }
        Path resolved = resolvePhysically(real.getParent(), target);
        if (resolved == null || !resolved.startsWith(root)) {
            throw new ArchiveRejectedException("symlink '" + entry.getName() + "' -> '" + target
                    + "' leaves the code directory");
        }
        Files.createSymbolicLink(real, real.getFileSystem().getPath(target));
    }

    private static void createHardLink(Path root, Path path, TarArchiveEntry entry)
            throws IOException, ArchiveRejectedException {
        String target = entry.getLinkName();
        Path real = parentInside(root, path, entry.getName());
        Path targetPath;
        try {
            targetPath = resolveEntry(root, target);
        } catch (ArchiveRejectedException e) {
            throw new ArchiveRejectedException("hard link '" + entry.getName() + "' -> '" + target
                    + "' leaves the code directory");
        }
        Path resolved = resolvePhysically(root, root.relativize(targetPath).toString());
        if (resolved == null || !resolved.startsWith(root) || !Files.isRegularFile(resolved, LinkOption.NOFOLLOW_LINKS)) {
            throw new ArchiveRejectedException("hard link '" + entry.getName() + "' -> '" + target
                    + "' does not name a file extracted inside the code directory");
        }
        Files.createLink(real, resolved);
    }

    private static long writeFile(TarArchiveInputStream tar, Path root, Path path, TarArchiveEntry entry, long budget)
            throws IOException, ArchiveRejectedException {
        Path real = parentInside(root, path, entry.getName());
        long written = 0;
        byte[] buffer = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(real, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            int n;
            while ((n = tar.read(buffer)) >= 0) {
                written += n;
                if (written > budget) {
                    throw new ArchiveRejectedException("archive unpacks to more than " + MAX_UNPACKED_BYTES + " bytes");
                }
                out.write(buffer, 0, n);
            }
        }
        Files.setPosixFilePermissions(real, permissions(entry.getMode() | 0600));
        return written;
    }

    /**
     * Resolves a relative link target from {@code base}, following links that already exist, so the result
     * is where the link really points today. Returns null when it cannot be resolved safely.
     */
    static Path resolvePhysically(Path base, String target) throws IOException {
        Path current = base;
        int hops = 0;
        for (String segment : target.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                current = current.getParent();
                if (current == null) {
                    return null;
                }
                continue;
            }
            current = current.resolve(segment);
            if (Files.isSymbolicLink(current)) {
                if (++hops > 40) {
                    return null;
                }
                try {
                    current = current.toRealPath();
                } catch (NoSuchFileException e) {
                    return null;
                }
            }
        }
        return current.normalize();
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ,
        };
        for (int bit = 0; bit < order.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                set.add(order[bit]);
            }
        }
        return set;
    }

    /** Deletes a tree without following links. Missing is fine. */
    public static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
