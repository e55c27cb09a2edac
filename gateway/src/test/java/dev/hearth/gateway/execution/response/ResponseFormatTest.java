package dev.hearth.gateway.execution.response;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResponseFormatTest {

    @Test
    void missingAcceptChoosesMultipart() {
        assertThat(ResponseFormat.choose(null)).as("null").isEqualTo(ResponseFormat.MULTIPART);
        assertThat(ResponseFormat.choose("")).as("empty").isEqualTo(ResponseFormat.MULTIPART);
    }

    @Test
    void applicationJsonChoosesJson() {
        assertThat(ResponseFormat.choose("application/json")).as("json").isEqualTo(ResponseFormat.JSON);
        assertThat(ResponseFormat.choose("application/json; charset=utf-8")).as("json with charset").isEqualTo(ResponseFormat.JSON);
        assertThat(ResponseFormat.choose("application/*")).as("application/*").isEqualTo(ResponseFormat.JSON);
        assertThat(ResponseFormat.choose("text/plain, application/json")).as("second item").isEqualTo(ResponseFormat.JSON);
        assertThat(ResponseFormat.choose("text/plain, , application/*")).as("after an empty item")
                .isEqualTo(ResponseFormat.JSON);
    }

    @Test
    void acceptWithoutSpaceChoosesMultipart() {
        assertThat(ResponseFormat.choose("text/plain,application/json")).as("no space after comma")
                .isEqualTo(ResponseFormat.MULTIPART);
    }

    @Test
    void wildcardsAndOtherTypesChooseMultipart() {
        assertThat(ResponseFormat.choose("*/*")).as("*/*").isEqualTo(ResponseFormat.MULTIPART);
        assertThat(ResponseFormat.choose("application/xml")).as("xml").isEqualTo(ResponseFormat.MULTIPART);
        assertThat(ResponseFormat.choose("multipart/form-data")).as("multipart").isEqualTo(ResponseFormat.MULTIPART);
        assertThat(ResponseFormat.choose("text/plain, ")).as("a trailing separator").isEqualTo(ResponseFormat.MULTIPART);
        assertThat(ResponseFormat.choose("text/plain,  application/json")).as("two spaces: the item starts with one")
                .isEqualTo(ResponseFormat.MULTIPART);
    }
}
