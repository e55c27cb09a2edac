package dev.hearth.runner;

import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.hearth.runner.logs.LiveLog;
import dev.hearth.runner.protocol.LogLine;
import dev.hearth.runner.protocol.ProtocolJson;
import org.reactivestreams.Publisher;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * {@code GET /v1/logs[?follow=true]}: the retained live log as NDJSON, then (following) new lines until the
 * caller disconnects, which cancels the stream and unregisters the follower.
 */
final class LogsHandler {

    private final LiveLog liveLog;

    LogsHandler(LiveLog liveLog) {
        this.liveLog = liveLog;
    }

    Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response) {
        boolean follow = follow(request.uri());
        return response.header("content-type", "application/x-ndjson")
                .sendString(liveLog.lines(follow).map(LogsHandler::ndjson), StandardCharsets.UTF_8);
    }

    private static String ndjson(LogLine line) {
        return ProtocolJson.toJsonString(line) + "\n";
    }

    static boolean follow(String uri) {
        int query = uri.indexOf('?');
        if (query < 0) {
            return false;
        }
        return List.of(uri.substring(query + 1).split("&")).contains("follow=true");
    }
}
