package dev.hearth.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.hearth.runner.protocol.Adapter;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** values.schema.json stops a mistyped or misspelt value before anything reaches the cluster. */
class ValuesSchemaTest {

    @Test
    void misspeltPoolKeyIsRejected() {
        assertThatThrownBy(() -> HelmChart.render(Map.of("pools", List.of(Map.of("image", "python:3.12", "maxPendng", 3)))))
                .as("pools[0].maxPendng")
                .hasMessageContaining("maxPendng");
    }

    @Test
    void unknownAdapterIsRejected() {
        assertThatThrownBy(() -> HelmChart.render(Map.of("pools", List.of(Map.of("image", "python:3.12", "adapter", "cgi")))))
                .as("adapter cgi")
                .hasMessageContaining("adapter");
    }

    @Test
    void redisUrlMustBeARedisUrl() {
        assertThatThrownBy(() -> HelmChart.render(Map.of("redis", Map.of("url", "redis.hearth:6379"))))
                .as("redis url without scheme")
                .hasMessageContaining("redis");
    }

    @Test
    void adaptersInTheSchemaAreTheRunnersAdapters() throws IOException {
        JsonNode schema = JsonMapper.builder().build()
                .readTree(Files.readString(HelmChart.directory().resolve("values.schema.json")));
        List<String> allowed = new ArrayList<>();
        schema.path("properties").path("pools").path("items").path("properties").path("adapter").path("enum")
                .forEach(value -> allowed.add(value.asString()));

        assertThat(allowed).as("adapter enum of values.schema.json")
                .containsExactlyInAnyOrderElementsOf(Arrays.stream(Adapter.values()).map(Adapter::wireName).toList());
    }
}
