package dev.hearth.gateway.api.params;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.gateway.api.error.ExecutorException;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParamsTest {

    private static Params of(Object... keyValues) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            values.put((String) keyValues[i], keyValues[i + 1]);
        }
        return new Params(values);
    }

    @Test
    void absentParamTakesDefaultWithoutValidation() {
        Params params = of("other", "x");

        assertThat(params.text("image", 128, 1, "dflt")).as("text default").isEqualTo("dflt");
        assertThat(params.integer("timeout", false, 600)).as("integer default").isEqualTo(600);
        assertThat(params.bool("remove", false, false)).as("bool default").isFalse();
        assertThat(params.decimal("cpus", 1)).as("decimal default").isEqualTo(1.0);
        assertThat(params.whitelist("version", List.of("v5"), false, "v5")).as("whitelist default").isEqualTo("v5");
        assertThat(params.assoc("variables")).as("assoc default").isEmpty();
    }

    @Test
    void jsonNullCountsAsAbsent() {
        Map<String, Object> values = new HashMap<>();
        values.put("image", null);

        assertThat(new Params(values).text("image", 128, 1, "dflt")).as("null value").isEqualTo("dflt");
    }

    @Test
    void textMinOneRejectsExplicitEmptyString() {
        assertThatThrownBy(() -> of("source", "").text("source", 0, 1, ""))
                .as("empty source")
                .isInstanceOf(ExecutorException.class)
                .hasMessage("Invalid `source` param: Value must be a valid string and at least 1 chars");
    }

    @Test
    void textCountsCodePointsAgainstMax() {
        String fourEmoji = "\uD83D\uDE00".repeat(4);

        assertThat(of("id", fourEmoji).text("id", 4, 1, "")).as("4 code points within 4").isEqualTo(fourEmoji);
        assertThatThrownBy(() -> of("id", "abcde").text("id", 4, 1, ""))
                .as("too long")
                .hasMessage("Invalid `id` param: Value must be a valid string and at least 1 chars and no longer than 4 chars");
    }

    @Test
    void textRejectsNonStrings() {
        assertThatThrownBy(() -> of("runtimeId", 12).text("runtimeId", 64, 1, ""))
                .as("number as text").hasMessageStartingWith("Invalid `runtimeId` param: Value must be a valid string");
    }

    @Test
    void zeroStringCountsAsEmptyForTextOrEmpty() {
        assertThat(of("entrypoint", "0").textOrEmpty("entrypoint", 256, 0)).as("\"0\"").isEmpty();
        assertThat(of("entrypoint", "").textOrEmpty("entrypoint", 256, 0)).as("\"\"").isEmpty();
        assertThat(of("entrypoint", "index.js").textOrEmpty("entrypoint", 256, 0)).as("value").isEqualTo("index.js");
    }

    @Test
    void requiredParamMissingUsesUtopiaWording() {
        assertThatThrownBy(() -> of().requiredText("runtimeId", 64, 1))
                .as("missing")
                .isInstanceOf(ExecutorException.class)
                .hasMessage("Param \"runtimeId\" is not optional.")
                .extracting(e -> ((ExecutorException) e).code()).isEqualTo(400);
    }

    @Test
    void looseIntegerAcceptsNumericStrings() {
        assertThat(of("timeout", "15").integer("timeout", true, 0)).as("\"15\"").isEqualTo(15);
        assertThat(of("timeout", " -3 ").integer("timeout", true, 0)).as("\" -3 \"").isEqualTo(-3);
        assertThat(of("timeout", 7).integer("timeout", true, 0)).as("7").isEqualTo(7);
        assertThatThrownBy(() -> of("timeout", "5.0").integer("timeout", true, 0))
                .as("\"5.0\" is a float").hasMessage("Invalid `timeout` param: Value must be a valid integer");
        assertThatThrownBy(() -> of("timeout", "abc").integer("timeout", true, 0)).as("\"abc\"")
                .isInstanceOf(ExecutorException.class);
    }

    @Test
    void strictIntegerRejectsStringsFloatsAndBooleans() {
        assertThatThrownBy(() -> of("timeout", "5").integer("timeout", false, 0)).as("\"5\"")
                .hasMessage("Invalid `timeout` param: Value must be a valid integer");
        assertThatThrownBy(() -> of("timeout", 5.0).integer("timeout", false, 0)).as("5.0")
                .isInstanceOf(ExecutorException.class);
        assertThatThrownBy(() -> of("timeout", true).integer("timeout", false, 0)).as("true")
                .isInstanceOf(ExecutorException.class);
    }

    @Test
    void integerIs32Bit() {
        assertThat(of("n", Integer.MAX_VALUE).integer("n", false, 0)).as("max int").isEqualTo(Integer.MAX_VALUE);
        assertThat(of("n", "-2147483648").integer("n", true, 0)).as("min int string").isEqualTo(Integer.MIN_VALUE);
        assertThatThrownBy(() -> of("n", 2_147_483_648L).integer("n", false, 0)).as("max + 1")
                .isInstanceOf(ExecutorException.class);
        assertThatThrownBy(() -> of("n", new BigInteger("99999999999999999999")).integer("n", false, 0)).as("huge")
                .isInstanceOf(ExecutorException.class);
        assertThatThrownBy(() -> of("n", "2147483648").integer("n", true, 0)).as("max + 1 string")
                .isInstanceOf(ExecutorException.class);
    }

    @Test
    void decimalIsLoose() {
        assertThat(of("cpus", "0.5").decimal("cpus", 1)).as("\"0.5\"").isEqualTo(0.5);
        assertThat(of("cpus", 2).decimal("cpus", 1)).as("2").isEqualTo(2.0);
        assertThat(of("cpus", "1e1").decimal("cpus", 1)).as("\"1e1\"").isEqualTo(10.0);
        assertThatThrownBy(() -> of("cpus", "two").decimal("cpus", 1)).as("\"two\"")
                .hasMessage("Invalid `cpus` param: Value must be a valid float");
    }

    @Test
    void looseBooleanAcceptsUpstreamSpellings() {
        assertThat(of("b", "true").bool("b", true, false)).as("\"true\"").isTrue();
        assertThat(of("b", "1").bool("b", true, false)).as("\"1\"").isTrue();
        assertThat(of("b", 1).bool("b", true, false)).as("1").isTrue();
        assertThat(of("b", "false").bool("b", true, true)).as("\"false\"").isFalse();
        assertThat(of("b", "0").bool("b", true, true)).as("\"0\"").isFalse();
        assertThat(of("b", 0).bool("b", true, true)).as("0").isFalse();
        assertThatThrownBy(() -> of("b", "yes").bool("b", true, false)).as("\"yes\"")
                .hasMessage("Invalid `b` param: Value must be a valid boolean");
    }

    @Test
    void strictBooleanAcceptsBooleansOnly() {
        assertThat(of("remove", true).bool("remove", false, false)).as("true").isTrue();
        assertThatThrownBy(() -> of("remove", "true").bool("remove", false, false)).as("\"true\"")
                .isInstanceOf(ExecutorException.class);
    }

    @Test
    void whitelistStrictIsCaseSensitiveAndLooseIsNot() {
        List<String> methods = List.of("GET", "POST");

        assertThat(of("method", "POST").whitelist("method", methods, true, "GET")).as("exact").isEqualTo("POST");
        assertThatThrownBy(() -> of("method", "post").whitelist("method", methods, true, "GET"))
                .as("strict lower case").hasMessage("Invalid `method` param: Value must be one of (GET, POST)");
        assertThat(of("version", "V5").whitelist("version", List.of("v2", "v5"), false, "v5"))
                .as("loose returns the whitelist spelling").isEqualTo("v5");
    }

    @Test
    void assocDecodesJsonStringsAndTreatsZeroAsEmpty() {
        assertThat(of("variables", "{\"A\":1}").assoc("variables")).as("JSON string").containsEntry("A", 1);
        assertThat(of("variables", "0").assoc("variables")).as("\"0\"").isEmpty();
        assertThat(of("variables", List.of()).assoc("variables")).as("[]").isEmpty();
    }

    @Test
    void assocRejectsListsScalarsAndOversizedObjects() {
        assertThatThrownBy(() -> of("v", List.of("a")).assoc("v")).as("JSON list")
                .hasMessage("Invalid `v` param: Value must be a valid object.");
        assertThatThrownBy(() -> of("v", Map.of("0", "a")).assoc("v")).as("PHP list from brackets")
                .isInstanceOf(ExecutorException.class);
        assertThatThrownBy(() -> of("v", "[1]").assoc("v")).as("JSON list string")
                .isInstanceOf(ExecutorException.class);
        assertThatThrownBy(() -> of("v", "not json").assoc("v")).as("junk string")
                .isInstanceOf(ExecutorException.class);
        assertThatThrownBy(() -> of("v", Map.of("k", "x".repeat(65_535))).assoc("v")).as("over 65535 bytes")
                .isInstanceOf(ExecutorException.class);
    }

    @Test
    void toStringNamesKeysOnly() {
        assertThat(of("secret", "hunter2").toString()).as("toString").doesNotContain("hunter2").contains("secret");
    }
}
