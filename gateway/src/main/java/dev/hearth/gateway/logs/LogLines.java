package dev.hearth.gateway.logs;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The wire line of the logs stream (§3.1): {@code <Y-m-d\TH:i:s.vP> <content, each newline as the two characters \\n>}. */
final class LogLines {

    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxxx").withZone(ZoneOffset.UTC);

    private LogLines() {
    }

    /** @param timestamp an ISO-8601 instant */
    static String format(String timestamp, String content) {
        return TIMESTAMP.format(Instant.parse(timestamp)) + " " + content.replace("\n", "\\n") + "\n";
    }
}
