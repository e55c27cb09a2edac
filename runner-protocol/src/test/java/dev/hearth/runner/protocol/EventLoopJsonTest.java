package dev.hearth.runner.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import tools.jackson.core.util.JsonRecyclerPools;
import tools.jackson.databind.json.JsonMapper;

class EventLoopJsonTest {

    @Test
    void buffersAreRecycledPerThreadNotThroughTheSharedDeque() {
        JsonMapper mapper = EventLoopJson.builder().build();

        assertThat(mapper.tokenStreamFactory()._getRecyclerPool())
                .isSameAs(JsonRecyclerPools.threadLocalPool())
                .isNotSameAs(JsonMapper.builder().build().tokenStreamFactory()._getRecyclerPool());
    }

    @Test
    void theProtocolsMapperUsesIt() {
        assertThat(ProtocolJson.mapper().tokenStreamFactory()._getRecyclerPool())
                .isSameAs(JsonRecyclerPools.threadLocalPool());
    }

    @Test
    void readsAndWritesAsAnyMapper() {
        JsonMapper mapper = EventLoopJson.builder().build();

        String json = mapper.writeValueAsString(Map.of("a", 1));

        assertThat(json).isEqualTo("{\"a\":1}");
        assertThat(mapper.readValue(json, Map.class)).isEqualTo(Map.of("a", 1));
    }
}
