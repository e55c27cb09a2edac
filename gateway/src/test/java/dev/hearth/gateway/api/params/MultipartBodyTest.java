package dev.hearth.gateway.api.params;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.gateway.api.error.ExecutorException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;

class MultipartBodyTest {

    private static final MediaType TYPE = MediaType.parseMediaType("multipart/form-data; boundary=B0undary");

    private static byte[] bytes(Object... pieces) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object piece : pieces) {
            out.writeBytes(piece instanceof byte[] b ? b : piece.toString().getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    @Test
    void keepsBinaryBytesOfPlainFieldsExactly() {
        byte[] binary = {(byte) 0xff, 0, '\r', '\n', '-', '-', (byte) 0x80};
        byte[] body = bytes("--B0undary\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\n", binary,
                "\r\n--B0undary--\r\n");

        List<MultipartBody.Part> parts = MultipartBody.parse(TYPE, body);

        assertThat(parts).as("parts").hasSize(1);
        assertThat(parts.get(0).content()).as("content").containsExactly(binary);
        assertThat(MultipartValues.value(parts.get(0))).as("value of a non-UTF-8 field").isEqualTo(binary);
    }

    @Test
    void skipsPreambleAndReadsFilenameAndQuotedBoundary() {
        MediaType quoted = MediaType.parseMediaType("multipart/form-data; boundary=\"B0undary\"");
        byte[] body = bytes("preamble\r\n--B0undary\r\n",
                "Content-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n",
                "abc\r\n--B0undary\r\nContent-Disposition: form-data; name=\"empty\"\r\n\r\n\r\n--B0undary--");

        List<MultipartBody.Part> parts = MultipartBody.parse(quoted, body);

        assertThat(parts).as("parts").extracting(MultipartBody.Part::name).containsExactly("file", "empty");
        assertThat(parts.get(0).filename()).as("filename").isEqualTo("a.bin");
        assertThat(parts.get(1).content()).as("empty part").isEmpty();
    }

    @Test
    void truncatedBodyIs400() {
        byte[] body = bytes("--B0undary\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nvalue");

        assertThatThrownBy(() -> MultipartBody.parse(TYPE, body))
                .as("no closing boundary")
                .isInstanceOf(ExecutorException.class)
                .hasMessage("Invalid multipart body: no closing boundary");
    }

    @Test
    void missingBoundaryIs400() {
        assertThatThrownBy(() -> MultipartBody.parse(MediaType.MULTIPART_FORM_DATA, new byte[0]))
                .as("no boundary").hasMessageStartingWith("Invalid multipart body: the Content-Type needs a boundary");
    }

    @Test
    void indexOfHandlesSelfOverlappingPatterns() {
        byte[] data = "aaaaaaaaab".getBytes(StandardCharsets.US_ASCII);

        assertThat(MultipartBody.indexOf(data, "aab".getBytes(StandardCharsets.US_ASCII), 0)).as("aab").isEqualTo(7);
        assertThat(MultipartBody.indexOf(data, "ac".getBytes(StandardCharsets.US_ASCII), 0)).as("absent").isEqualTo(-1);
    }
}
