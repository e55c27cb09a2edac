package dev.hearth.runner.protocol;

import java.util.List;
import java.util.Map;

/** First frame of an execute response: the function's status and headers (names lower case). */
public record ExecutionHead(int status, Map<String, List<String>> headers) {

    public ExecutionHead {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }
}
