package dev.hearth.runner.http;

import java.math.BigDecimal;
import java.util.Iterator;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/**
 * JSON text as the upstream executor's PHP writes a value it decoded ({@code json_decode} to objects, then
 * {@code json_encode(…, JSON_UNESCAPED_UNICODE)}): compact, {@code /} escaped as {@code \/}, control characters as
 * {@code \b \f \n \r \t} or lower-case <code>&#92;u00xx</code>, U+2028 and U+2029 escaped, other characters as they are;
 * integers beyond 64 bits and fractions as PHP floats ({@code 1.0}, {@code 1.0e+20}). With
 * {@code JSON_FORCE_OBJECT}, every array, however deep, becomes an object keyed {@code "0"}, {@code "1"}, ….
 * The v2 answer's {@code response} passes through this, so that a Hearth body is byte for byte upstream's.
 */
final class PhpJson {

    private PhpJson() {
    }

    static String encode(JsonNode node, boolean forceObject) {
        StringBuilder out = new StringBuilder();
        write(node, forceObject, out);
        return out.toString();
    }

    /** A number as PHP holds it after {@code json_decode}: an int when it fits 64 bits, else a float. */
    static String number(JsonNode node) {
        if (node.isIntegralNumber() && node.bigIntegerValue().bitLength() < 64) {
            return node.bigIntegerValue().toString();
        }
        return phpFloat(node.doubleValue());
    }

    private static void write(JsonNode node, boolean forceObject, StringBuilder out) {
        if (node.isObject()) {
            out.append('{');
            Iterator<Map.Entry<String, JsonNode>> properties = node.properties().iterator();
            while (properties.hasNext()) {
                Map.Entry<String, JsonNode> property = properties.next();
                string(property.getKey(), out);
                out.append(':');
                write(property.getValue(), forceObject, out);
                out.append(properties.hasNext() ? "," : "");
            }
            out.append('}');
        } else if (node.isArray()) {
            out.append(forceObject ? '{' : '[');
            int index = 0;
            for (JsonNode value : node.values()) {
                out.append(index > 0 ? "," : "");
                if (forceObject) {
                    out.append('"').append(index).append("\":");
                }
                write(value, forceObject, out);
                index++;
            }
            out.append(forceObject ? '}' : ']');
        } else if (node.isString()) {
            string(node.stringValue(), out);
        } else if (node.isNumber()) {
            out.append(number(node));
        } else if (node.isBoolean()) {
            out.append(node.booleanValue());
        } else {
            out.append("null");
        }
    }

    private static void string(String value, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '/' -> out.append("\\/");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\u2028', '\u2029' -> out.append(String.format("\\u%04x", (int) c));
                default -> out.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        out.append('"');
    }

    /** PHP's shortest round-trip float: {@code 0.5}, {@code 3.0}, {@code 1.0e+15}, {@code 1.0e-5}. */
    private static String phpFloat(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "0"; // PHP cannot encode them; JSON text never holds them.
        }
        BigDecimal decimal = new BigDecimal(Double.toString(value)).stripTrailingZeros();
        int exponent = decimal.precision() - decimal.scale() - 1;
        if (exponent < -4 || exponent >= 15) {
            String digits = decimal.unscaledValue().abs().toString();
            String mantissa = digits.charAt(0) + "." + (digits.length() > 1 ? digits.substring(1) : "0");
            return (value < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+") + Math.abs(exponent);
        }
        String plain = decimal.toPlainString();
        return plain.contains(".") ? plain : plain + ".0";
    }
}
