package dev.hearth.runner.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.hearth.runner.testing.TarGz;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarGzExtractorTest {

    @TempDir
    Path work;

    private Path code() {
        return work.resolve("code");
    }

    private void extract(byte[] archive) throws Exception {
        new TarGzExtractor().extract(new ByteArrayInputStream(archive), code());
    }

    private void assertRejected(byte[] archive, String messagePart) {
        assertThatThrownBy(() -> extract(archive))
                .as("hostile archive is rejected")
                .isInstanceOf(ArchiveRejectedException.class)
                .hasMessageContaining(messagePart);
        assertThat(code()).as("nothing left behind").doesNotExist();
        assertThat(work.resolve("x")).as("nothing written outside").doesNotExist();
    }

    @Test
    void extractsFilesDirectoriesLinksAndExecBits() throws Exception {
        extract(TarGz.builder()
                .directory("lib")
                .file("lib/util.sh", "echo util")
                .file("index.sh", "#!/bin/sh\necho hi\n", 0755)
                .symlink("current", "index.sh")
                .symlink("lib/up", "../index.sh")
                .hardlink("copy.sh", "index.sh")
                .build());

        assertThat(code().resolve("lib/util.sh")).hasContent("echo util");
        assertThat(Files.isExecutable(code().resolve("index.sh"))).as("exec bit from tar mode").isTrue();
        assertThat(Files.isExecutable(code().resolve("lib/util.sh"))).as("no exec bit").isFalse();
        assertThat(Files.readSymbolicLink(code().resolve("current"))).isEqualTo(Path.of("index.sh"));
        assertThat(code().resolve("lib/up")).hasContent("#!/bin/sh\necho hi\n");
        assertThat(code().resolve("copy.sh")).hasContent("#!/bin/sh\necho hi\n");
    }

    @Test
    void emptyStreamMeansNoCode() throws Exception {
        extract(new byte[0]);

        assertThat(code()).isEmptyDirectory();
    }

    @Test
    void rejectsAbsolutePath() {
        assertRejected(TarGz.builder().file("ok", "fine").file("/etc/evil", "x").build(), "absolute");
    }

    @Test
    void rejectsDotDotSegment() {
        assertRejected(TarGz.builder().file("ok", "fine").file("../x", "x").build(), "'..'");
    }

    @Test
    void rejectsNestedDotDotSegment() {
        assertRejected(TarGz.builder().file("a/b/../../../x", "x").build(), "'..'");
    }

    @Test
    void rejectsSymlinkEscaping() {
        assertRejected(TarGz.builder().file("ok", "fine").symlink("link", "../x").build(), "leaves the code directory");
    }

    @Test
    void rejectsAbsoluteSymlinkTarget() {
        assertRejected(TarGz.builder().symlink("link", "/etc/passwd").build(), "absolute target");
    }

    @Test
    void rejectsSymlinkEscapingThroughAnotherSymlink() {
        assertRejected(TarGz.builder().symlink("here", ".").symlink("here/up", "..").build(),
                "leaves the code directory");
    }

    @Test
    void rejectsWritingThroughReplacedEntry() {
        assertRejected(TarGz.builder().file("a", "1").file("a", "2").build(), "appears twice");
    }

    @Test
    void rejectsHardlinkEscaping() {
        assertRejected(TarGz.builder().file("ok", "fine").hardlink("link", "../x").build(), "hard link");
    }

    @Test
    void rejectsHardlinkToAbsolutePath() {
        assertRejected(TarGz.builder().hardlink("passwd", "/etc/passwd").build(), "hard link");
    }

    @Test
    void rejectsFifo() {
        assertRejected(TarGz.builder().entry("pipe", TarConstants.LF_FIFO, new byte[0], 0644, null).build(), "FIFO");
    }

    @Test
    void rejectsCharacterDevice() {
        assertRejected(TarGz.builder().entry("null", TarConstants.LF_CHR, new byte[0], 0644, null).build(), "device");
    }

    @Test
    void rejectsTooManyEntries() {
        TarGz.Builder builder = TarGz.builder();
        for (int i = 0; i < 4; i++) {
            builder.file("f" + i, "x");
        }
        assertThatThrownBy(() -> new TarGzExtractor(1 << 20, 3).extract(new ByteArrayInputStream(builder.build()), code()))
                .isInstanceOf(ArchiveRejectedException.class)
                .hasMessageContaining("more than 3 entries");
        assertThat(code()).doesNotExist();
    }

    @Test
    void rejectsTooManyUnpackedBytes() {
        byte[] archive = TarGz.builder().file("big", new byte[2000], 0644).build();
        assertThatThrownBy(() -> new TarGzExtractor(1000, 10).extract(new ByteArrayInputStream(archive), code()))
                .isInstanceOf(ArchiveRejectedException.class)
                .hasMessageContaining("unpacks to more than");
        assertThat(code()).doesNotExist();
    }

    @Test
    void rejectsGarbage() {
        assertRejected("definitely not gzip".getBytes(StandardCharsets.UTF_8), "not a valid tar.gz");
    }
}
