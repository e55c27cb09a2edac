package dev.hearth.gateway.execution;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;

import org.springframework.http.server.PathContainer;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Which request targets are executions, decided as WebFlux's router decided it before {@link ExecutionRoute} took
 * executions below WebFlux: the target parsed as {@link URI} (as Spring's Reactor Netty adapter does; one it cannot
 * parse is not ours, and WebFlux answers it 400 as before), its raw path split into decoded segments without
 * matrix parameters ({@link PathContainer}) and matched against the same {@link PathPattern}s with the same parser.
 * So {@code /v1;x/runtimes/r/executions} and {@code /%761/runtimes/r/executions} are executions here exactly when
 * they were there, and the route's key check covers them. Stateless and thread-safe.
 */
final class ExecutionPath {

    /** The route's patterns; the first is the documented one, the second upstream's alias. */
    static final List<PathPattern> PATTERNS = List.of(
            PathPatternParser.defaultInstance.parse("/v1/runtimes/{runtimeId}/executions"),
            PathPatternParser.defaultInstance.parse("/v1/runtimes/{runtimeId}/execution"));

    /**
     * A matched execution target.
     *
     * @param pattern   the pattern it matched (the {@code uri} tag of {@code http.server.requests})
     * @param runtimeId the decoded {@code runtimeId}
     * @param rawQuery  the query as sent, or null
     */
    record Match(String pattern, String runtimeId, String rawQuery) {
    }

    private ExecutionPath() {
    }

    /** The execution {@code target} (a request line's target) names, or null when it is not an execution's. */
    static Match match(String target) {
        URI uri;
        try {
            uri = new URI(target);
        } catch (URISyntaxException e) {
            return null;
        }
        if (uri.getRawPath() == null) {
            return null;
        }
        PathContainer path = PathContainer.parsePath(uri.getRawPath());
        for (PathPattern pattern : PATTERNS) {
            PathPattern.PathMatchInfo info = pattern.matchAndExtract(path);
            if (info != null) {
                return new Match(pattern.getPatternString(), info.getUriVariables().get("runtimeId"), uri.getRawQuery());
            }
        }
        return null;
    }
}
