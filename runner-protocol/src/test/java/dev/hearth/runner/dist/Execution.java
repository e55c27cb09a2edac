package dev.hearth.runner.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.hearth.runner.client.ExecutionEvent;
import dev.hearth.runner.client.RunnerClient;
import dev.hearth.runner.client.RunnerTarget;
import dev.hearth.runner.protocol.ExecutionEnd;
import dev.hearth.runner.protocol.ExecutionHead;
import dev.hearth.runner.protocol.ExecutionRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import reactor.core.publisher.Mono;

/** One execution on a runner, collected whole: its HEAD frame, its body as UTF-8, its END frame. */
record Execution(ExecutionHead head, String body, ExecutionEnd end) {

    private static final Duration BLOCK = Duration.ofSeconds(30);

    static Execution run(RunnerClient client, RunnerTarget target, String method, String path, String body) {
        List<ExecutionEvent> events = client.execute(target, new ExecutionRequest(method, path, Map.of(), 20_000),
                        Mono.just(Unpooled.copiedBuffer(body, StandardCharsets.UTF_8)))
                .collectList()
                .block(BLOCK);
        ExecutionHead head = null;
        ExecutionEnd end = null;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (ExecutionEvent event : events) {
            if (event instanceof ExecutionEvent.Head h) {
                head = h.head();
            } else if (event instanceof ExecutionEvent.Body b) {
                ByteBuf chunk = b.chunk();
                byte[] copy = new byte[chunk.readableBytes()];
                chunk.readBytes(copy);
                chunk.release();
                bytes.writeBytes(copy);
            } else if (event instanceof ExecutionEvent.End e) {
                end = e.end();
            }
        }
        assertThat(head).as("HEAD frame").isNotNull();
        assertThat(end).as("END frame").isNotNull();
        return new Execution(head, bytes.toString(StandardCharsets.UTF_8), end);
    }
}
