package dev.hearth.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Which pool serves a runtime: exact entry, limits, pattern entries, defaults, allow-list, adapter by version. */
class PoolCatalogTest {

    static final PodLimits ONE_CPU_512 = new PodLimits(1, 512);
    static final PoolConfig DEFAULTS = config("**", 0, "exec");
    static final PoolConfig WARM = config("openruntimes/node:v5-22", 2, "openruntimes");
    static final PoolConfig NODE_PATTERN = config("openruntimes/node:*", 0, "exec");
    static final PoolConfig ANY_OPR = config("openruntimes/*", 0, "exec");

    final PoolCatalog catalog = new PoolCatalog(List.of(
            new PoolCatalog.Entry(WARM, true, new PodLimits(2, 1024)),
            new PoolCatalog.Entry(NODE_PATTERN, false, PodLimits.NONE),
            new PoolCatalog.Entry(ANY_OPR, true, PodLimits.NONE)),
            new PoolCatalog.Unconfigured(List.of(ImagePattern.of("allowed/**")), DEFAULTS, true, "kubernetes"));

    @Test
    void aWarmPoolServesRuntimesItsPodsLimitsCover() {
        assertThat(catalog.choose(new PoolRequest(WARM.image(), "v5", ONE_CPU_512))).isSameAs(WARM);
        assertThat(catalog.choose(new PoolRequest(WARM.image(), "v5", new PodLimits(2, 1024)))).isSameAs(WARM);
        assertThat(catalog.choose(PoolRequest.of(WARM.image()))).as("nothing asked").isSameAs(WARM);
    }

    @Test
    void aRuntimeAskingMoreThanTheWarmPodsHaveGetsAPodOfItsOwnWithExactlyItsLimits() {
        PoolConfig own = catalog.choose(new PoolRequest(WARM.image(), "v5", new PodLimits(4, 512)));

        assertThat(own.size()).as("a pod per runtime").isZero();
        assertThat(own.limits()).isEqualTo(new PodLimits(4, 512));
        assertThat(own.adapter()).as("the entry's").isEqualTo("openruntimes");
        assertThat(own.image()).isEqualTo(WARM.image());
        assertThat(catalog.choose(new PoolRequest(WARM.image(), "v5", new PodLimits(1, 2048))).limits().memoryMb())
                .isEqualTo(2048);
    }

    @Test
    void theFirstMatchingPatternServesATagWithNoEntryItsAdapterByVersionUnlessTheEntryNamesOne() {
        PoolConfig node = catalog.choose(new PoolRequest("openruntimes/node:v5-18", "v5", ONE_CPU_512));
        assertThat(node.image()).isEqualTo("openruntimes/node:v5-18");
        assertThat(node.size()).isZero();
        assertThat(node.limits()).isEqualTo(ONE_CPU_512);
        assertThat(node.adapter()).as("v5 is Open Runtimes").isEqualTo("openruntimes");
        assertThat(catalog.choose(new PoolRequest("openruntimes/node:v2-14", "v2", ONE_CPU_512)).adapter())
                .isEqualTo("openruntimes");
        assertThat(catalog.choose(new PoolRequest("openruntimes/node:v4-16", "v4", ONE_CPU_512)).adapter())
                .as("not an Open Runtimes protocol: the entry's").isEqualTo("exec");

        PoolConfig python = catalog.choose(new PoolRequest("openruntimes/python:v5-3.12", "v5", ONE_CPU_512));
        assertThat(python.adapter()).as("the entry names exec").isEqualTo("exec");
        assertThat(python.max()).isEqualTo(ANY_OPR.max());
    }

    @Test
    void anAllowedImageWithNoEntryGetsThePoolDefaultsAndAnyOtherIsRefused() {
        PoolConfig allowed = catalog.choose(new PoolRequest("allowed/team/app:1", "v5", ONE_CPU_512));
        assertThat(allowed.image()).isEqualTo("allowed/team/app:1");
        assertThat(allowed.adapter()).isEqualTo("openruntimes");
        assertThat(catalog.choose(new PoolRequest("allowed/team/app:1", "v4", ONE_CPU_512)).adapter())
                .isEqualTo("exec");

        assertThatThrownBy(() -> catalog.choose(new PoolRequest("elsewhere/app:1", "v5", ONE_CPU_512)))
                .isInstanceOf(UnknownImageException.class)
                .hasMessageContaining("'elsewhere/app:1'").hasMessageContaining("images-allowed");
    }

    @Test
    void aDriverThatCannotRunOpenRuntimesImagesSaysSo() {
        PoolCatalog local = new PoolCatalog(List.of(new PoolCatalog.Entry(config("local/shell", 1, "exec"), true,
                PodLimits.NONE)), new PoolCatalog.Unconfigured(List.of(), DEFAULTS, false, "local"));

        assertThat(local.choose(new PoolRequest("local/shell", "v5", ONE_CPU_512)).image()).isEqualTo("local/shell");
        assertThatThrownBy(() -> local.choose(new PoolRequest("openruntimes/node:v5-22", "v5", ONE_CPU_512)))
                .isInstanceOf(UnknownImageException.class)
                .hasMessageContaining("use the Docker or Kubernetes driver");
        assertThatThrownBy(() -> local.choose(new PoolRequest("other/image:1", "v4", ONE_CPU_512)))
                .isInstanceOf(UnknownImageException.class)
                .hasMessageContaining("Configured images: local/shell");

        PoolCatalog docker = new PoolCatalog(List.of(), new PoolCatalog.Unconfigured(
                List.of(ImagePattern.of("**")), DEFAULTS, false, "docker"));
        assertThat(docker.choose(new PoolRequest("busybox:1", "v4", ONE_CPU_512)).adapter()).isEqualTo("exec");
        assertThatThrownBy(() -> docker.choose(new PoolRequest("openruntimes/node:v5-22", "v5", ONE_CPU_512)))
                .isInstanceOf(UnknownImageException.class).hasMessageContaining("docker driver cannot run");
    }

    static PoolConfig config(String image, int size, String adapter) {
        return new PoolConfig(image, size, 8, 4, Duration.ofSeconds(5), adapter, "sh", Duration.ofSeconds(5));
    }
}
