package dev.hearth.charts;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression (or a Grafana {@code label_values(metric, label)} query) reads. A small
 * lexical pass, enough for the expressions the chart ships: strings, label matchers, ranges and grouping labels
 * are removed; of the identifiers left, function names, keywords and Grafana variables are not metrics.
 */
final class PromQl {

    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([^,]+),\\s*[a-zA-Z_]+\\s*\\)");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![$\\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without",
            "on", "ignoring", "group_left", "group_right", "inf", "nan", "Inf", "NaN");

    private PromQl() {
    }

    static Set<String> metricNames(String expression) {
        String text = STRING.matcher(expression).replaceAll("\"\"");
        text = MATCHERS.matcher(text).replaceAll(" ");
        text = LABEL_VALUES.matcher(text).replaceAll("$1");
        text = RANGE.matcher(text).replaceAll(" ");
        text = GROUPING.matcher(text).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher identifiers = IDENTIFIER.matcher(text);
        while (identifiers.find()) {
            boolean call = identifiers.group(2) != null;
            String name = identifiers.group(1);
            if (!call && !KEYWORDS.contains(name)) {
                names.add(name);
            }
        }
        return names;
    }
}
