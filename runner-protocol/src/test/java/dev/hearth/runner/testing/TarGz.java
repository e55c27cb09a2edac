package dev.hearth.runner.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/**
 * Builds gzip-compressed tar archives for tests, including hostile ones (absolute names, {@code ..}, links
 * leaving the directory, devices). Depends on commons-compress only, so other modules reuse it via the
 * test-jar.
 *
 * <pre>{@code
 * byte[] archive = TarGz.builder()
 *         .file("index.sh", "echo hi", 0755)
 *         .symlink("current", "index.sh")
 *         .build();
 * }</pre>
 */
public final class TarGz {

    private final List<Entry> entries;

    private TarGz(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** An entry as written: name, type flag, content, mode, link target. */
    private record Entry(String name, byte type, byte[] content, int mode, String linkTarget) {
    }

    public static final class Builder {

        private final List<Entry> entries = new ArrayList<>();

        /** A regular file, mode 0644. */
        public Builder file(String name, String content) {
            return file(name, content.getBytes(StandardCharsets.UTF_8), 0644);
        }

        public Builder file(String name, String content, int mode) {
            return file(name, content.getBytes(StandardCharsets.UTF_8), mode);
        }

        public Builder file(String name, byte[] content, int mode) {
            entries.add(new Entry(name, TarConstants.LF_NORMAL, content, mode, ""));
            return this;
        }

        public Builder directory(String name) {
            entries.add(new Entry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR, new byte[0], 0755, ""));
            return this;
        }

        public Builder symlink(String name, String target) {
            entries.add(new Entry(name, TarConstants.LF_SYMLINK, new byte[0], 0777, target));
            return this;
        }

        public Builder hardlink(String name, String target) {
            entries.add(new Entry(name, TarConstants.LF_LINK, new byte[0], 0644, target));
            return this;
        }

        /** Any entry type, e.g. {@link TarConstants#LF_FIFO} or {@link TarConstants#LF_CHR}, written verbatim. */
        public Builder entry(String rawName, byte type, byte[] content, int mode, String linkTarget) {
            entries.add(new Entry(rawName, type, content, mode, linkTarget == null ? "" : linkTarget));
            return this;
        }

        public byte[] build() {
            return new TarGz(entries).bytes();
        }

        public Path writeTo(Path file) {
            try {
                return Files.write(file, build());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(out))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Entry entry : entries) {
                // preserveAbsolutePath: hostile names must reach the archive as written.
                TarArchiveEntry tarEntry = new TarArchiveEntry(entry.name(), entry.type(), true);
                tarEntry.setMode(entry.mode());
                if (!entry.linkTarget().isEmpty()) {
                    tarEntry.setLinkName(entry.linkTarget());
                }
                if (entry.type() == TarConstants.LF_NORMAL) {
                    tarEntry.setSize(entry.content().length);
                }
                tar.putArchiveEntry(tarEntry);
                if (entry.type() == TarConstants.LF_NORMAL) {
                    tar.write(entry.content());
                }
                tar.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
