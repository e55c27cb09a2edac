package dev.hearth.pool.redis;

import dev.hearth.pool.StoreUnavailableException;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;

class RedisFailuresTest {

    @Test
    void transportTroubleIsUnavailability() {
        assertThat(RedisFailures.isUnavailability(new RedisCommandTimeoutException("timed out"))).isTrue();
        assertThat(RedisFailures.isUnavailability(new RedisConnectionException("refused"))).isTrue();
        assertThat(RedisFailures.isUnavailability(new RedisException("Currently not connected"))).isTrue();
    }

    @Test
    void notNowRepliesAreUnavailability() {
        assertThat(RedisFailures.isUnavailability(new RedisCommandExecutionException("LOADING dataset"))).isTrue();
        assertThat(RedisFailures.isUnavailability(new RedisCommandExecutionException("READONLY replica"))).isTrue();
        assertThat(RedisFailures.isUnavailability(new RedisCommandExecutionException("OOM command not allowed")))
                .isTrue();
    }

    @Test
    void bugsPropagateUnchanged() {
        RedisCommandExecutionException wrongType = new RedisCommandExecutionException("WRONGTYPE Operation");
        assertThat(RedisFailures.translate("claim").apply(wrongType)).isSameAs(wrongType);
        IllegalArgumentException bug = new IllegalArgumentException("bad ttl");
        assertThat(RedisFailures.translate("claim").apply(bug)).isSameAs(bug);
    }

    @Test
    void unavailabilityNamesTheOperation() {
        Throwable mapped = RedisFailures.translate("claim of pod 'p'").apply(new RedisCommandTimeoutException("1s"));
        assertThat(mapped).isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("claim of pod 'p'").hasMessageContaining("1s");
    }
}
