package dev.hearth.runner.protocol;

import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.util.JsonRecyclerPools;
import tools.jackson.databind.json.JsonMapper;

/**
 * Mappers for JSON read and written on Netty's event loops, once or more per execution. Their parsers' and
 * generators' buffers are recycled per thread: the event loops are a few long-lived platform threads, so a
 * thread-local pool never contends. Jackson's default pool is a concurrent deque (safe for virtual threads, which
 * Hearth does not use); taking and returning a buffer there was about 2.7 % of an execution's CPU on the event loops
 * in {@code bench/profile.sh} (the top self frames after Reactor's).
 */
public final class EventLoopJson {

    private EventLoopJson() {
    }

    /** A mapper builder on a factory with the thread-local recycler pool; configure and build as usual. */
    public static JsonMapper.Builder builder() {
        return JsonMapper.builder(JsonFactory.builder().recyclerPool(JsonRecyclerPools.threadLocalPool()).build());
    }
}
