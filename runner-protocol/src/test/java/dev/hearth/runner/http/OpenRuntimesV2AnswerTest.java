package dev.hearth.runner.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** The v2 answer mapped as the upstream executor's PHP maps it (expected texts are what PHP 8 prints). */
class OpenRuntimesV2AnswerTest {

    private static OpenRuntimesV2Answer parse(String json) {
        return OpenRuntimesV2Answer.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aStringResponseIsTheBodyAsItIsAndStdoutStderrAreLogsAndErrors() {
        OpenRuntimesV2Answer answer = parse("{\"response\":\"a/b é\\u0000\",\"stdout\":\"l1\\nl2\",\"stderr\":\"e\"}");

        assertThat(answer).isEqualTo(new OpenRuntimesV2Answer("a/b é\u0000", "l1\nl2", "e"));
    }

    @Test
    void anObjectIsReencodedWithEveryArrayInsideItForcedToAnObject() {
        OpenRuntimesV2Answer answer = parse("{\"response\":{\"url\":\"http://x/y\",\"list\":[1,[true,null]],"
                + "\"empty\":[],\"o\":{},\"t\":\"\\t\\u0001\\u2028é\"}}");

        assertThat(answer.body()).isEqualTo("{\"url\":\"http:\\/\\/x\\/y\",\"list\":{\"0\":1,\"1\":{\"0\":true,\"1\":null}},"
                + "\"empty\":{},\"o\":{},\"t\":\"\\t\\u0001\\u2028é\"}");
    }

    @Test
    void anArrayKeepsItsArraysAndItsObjects() {
        assertThat(parse("{\"response\":[1,\"a/b\",{\"x\":[]},[]]}").body()).isEqualTo("[1,\"a\\/b\",{\"x\":[]},[]]");
    }

    @Test
    void numbersAreWrittenAsPhpHoldsThem() {
        assertThat(parse("{\"response\":[1.0,0.5,1e20,0.00001,-2,12345678901234567890]}").body())
                .isEqualTo("[1.0,0.5,1.0e+20,1.0e-5,-2,1.2345678901234567e+19]");
        assertThat(parse("{\"response\":42}").body()).isEqualTo("42");
    }

    @Test
    void missingNullAndBooleanFieldsReadAsPhpsStrval() {
        assertThat(parse("{\"stdout\":\"only\"}")).isEqualTo(new OpenRuntimesV2Answer("", "only", ""));
        assertThat(parse("{\"response\":null,\"stdout\":true,\"stderr\":false}"))
                .isEqualTo(new OpenRuntimesV2Answer("", "1", ""));
    }

    @Test
    void anAnswerThatIsNotAJsonObjectLeavesEverythingEmpty() {
        OpenRuntimesV2Answer empty = new OpenRuntimesV2Answer("", "", "");
        assertThat(parse("Unauthorized")).isEqualTo(empty);
        assertThat(parse("[\"response\"]")).isEqualTo(empty);
        assertThat(parse("")).isEqualTo(empty);
    }

    @Test
    void logsAndErrorsAreCutAtAMillionBytesOnACharacterBoundary() {
        String log = "a" + "é".repeat(600_000);
        OpenRuntimesV2Answer answer = parse("{\"stdout\":\"" + log + "\",\"stderr\":\"short\"}");

        assertThat(answer.logs().getBytes(StandardCharsets.UTF_8)).hasSize(999_999);
        assertThat(log).startsWith(answer.logs());
        assertThat(answer.errors()).isEqualTo("short");
    }
}
