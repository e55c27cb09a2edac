package dev.hearth.pool.redis;

import dev.hearth.pool.StoreUnavailableException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.pubsub.api.reactive.ChannelMessage;
import io.lettuce.core.pubsub.api.reactive.RedisPubSubReactiveCommands;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Lettuce client and one shared, multiplexed connection to Redis, as the stores use it. Thread-safe;
 * every store of a gateway replica shares one instance. Reactive signals arrive on Lettuce's event loop:
 * never block downstream of a store.
 *
 * <p>Connection policy (see {@link RedisFailures} for what the stores make of it):
 * <ul>
 *   <li>Auto-reconnect, with a delay growing from 50 ms to at most 1 s, so service resumes within about a
 *       second of Redis coming back, without recreating the client.</li>
 *   <li>While disconnected, commands are rejected at once instead of queued: a gateway that cannot reach
 *       Redis says so now (503) rather than after a pile-up of queued claims that may all run later.</li>
 *   <li>Every command times out after {@link RedisConfig#commandTimeout()}.</li>
 *   <li>The first connection is made in {@link #connect}; if Redis is unreachable at startup, startup fails
 *       (the orchestrator restarts the gateway) rather than running without shared state.</li>
 *   <li>Replies are handed to callers on {@link #CALLERS}, never on the connection's I/O thread
 *       ({@link #handOff}): whatever a caller does after a reply (a creation goes on to specialize its pod, loading
 *       classes and building serializers on first use) must not stop the one thread that sends and reads every
 *       command, or unrelated commands time out while Redis is healthy. (Lettuce's own {@code publishOnScheduler}
 *       is not enough: a continuation holding one of its computation threads delays the completion of other
 *       commands dispatched to that thread until their timeout fires.)</li>
 * </ul>
 */
public final class RedisConnections implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisConnections.class);
    /** Lettuce logs decoded replies at DEBUG and raw bytes at TRACE here: runtime secrets included. */
    private static final String LETTUCE_PROTOCOL_LOGGER = "io.lettuce.core.protocol";

    private static final Duration RECONNECT_MIN = Duration.ofMillis(50);
    private static final Duration RECONNECT_MAX = Duration.ofSeconds(1);

    private final ClientResources resources;
    private final RedisClient client;
    /** Between startup connection attempts. */
    static final Duration CONNECT_RETRY_PAUSE = Duration.ofMillis(500);

    private final StatefulRedisConnection<String, String> connection;
    private final RedisConfig config;
    private final RedisKeys keys;
    /** Opened by the first {@link #messages} call; null until then. Volatile: {@link #hears} reads it without the lock. */
    private volatile StatefulRedisPubSubConnection<String, String> pubSub;
    private final Set<String> subscribed = ConcurrentHashMap.newKeySet();

    private RedisConnections(ClientResources resources, RedisClient client,
                             StatefulRedisConnection<String, String> connection, RedisConfig config) {
        this.resources = resources;
        this.client = client;
        this.connection = connection;
        this.config = config;
        this.keys = new RedisKeys(config.keyPrefix());
    }

    /**
     * Connects (blocking, for startup and tests), trying again every {@link #CONNECT_RETRY_PAUSE} until
     * {@link RedisConfig#connectTimeout()} has passed: a replica may start with Redis, or on a machine so busy that
     * one connection's handshake outlasts the command timeout. Then fails with {@link StoreUnavailableException}.
     */
    public static RedisConnections connect(RedisConfig config) {
        warnIfProtocolLoggingLeaksSecrets();
        ClientResources resources = ClientResources.builder()
                .reconnectDelay(Delay.exponential(RECONNECT_MIN, RECONNECT_MAX, 2, TimeUnit.MILLISECONDS))
                .build();
        RedisClient client = RedisClient.create(resources, config.redisUri());
        client.setOptions(options(config.commandTimeout()));
        long deadline = System.nanoTime() + config.connectTimeout().toNanos();
        for (int attempt = 1; ; attempt++) {
            try {
                return new RedisConnections(resources, client, client.connect(StringCodec.UTF8), config);
            } catch (RuntimeException e) {
                if (System.nanoTime() + CONNECT_RETRY_PAUSE.toNanos() >= deadline || !pause()) {
                    client.shutdown();
                    resources.shutdown();
                    throw new StoreUnavailableException("connecting to " + RedisConfig.redact(config.url())
                            + " (" + attempt + " attempt(s) within " + config.connectTimeout() + ")", e);
                }
                log.warn("Connecting to Redis at {} failed ({}); trying again", RedisConfig.redact(config.url()),
                        e.getMessage());
            }
        }
    }

    /** Waits before the next connection attempt; false when interrupted (the application is stopping). */
    private static boolean pause() {
        try {
            Thread.sleep(CONNECT_RETRY_PAUSE.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void warnIfProtocolLoggingLeaksSecrets() {
        if (LoggerFactory.getLogger(LETTUCE_PROTOCOL_LOGGER).isDebugEnabled()) {
            log.warn("Logger {} is at DEBUG or finer: Lettuce then logs Redis replies, runtime secrets included."
                    + " Set it to INFO outside local debugging.", LETTUCE_PROTOCOL_LOGGER);
        }
    }

    private static ClientOptions options(Duration commandTimeout) {
        return ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(connectTimeout(commandTimeout))
                        .keepAlive(true)
                        .build())
                .build();
    }

    /** A TLS handshake needs a few round trips; give it room without hanging reconnects for long. */
    private static Duration connectTimeout(Duration commandTimeout) {
        Duration floor = Duration.ofSeconds(2);
        return commandTimeout.compareTo(floor) > 0 ? commandTimeout : floor;
    }

    /** Where replies are handed to callers: Reactor's parallel workers, where the gateway's own code runs. */
    static final Scheduler CALLERS = Schedulers.parallel();

    /** A command's reply, delivered off the connection's I/O thread. */
    static <T> Mono<T> handOff(Mono<T> reply) {
        return reply.publishOn(CALLERS);
    }

    public RedisReactiveCommands<String, String> reactive() {
        return connection.reactive();
    }

    public RedisKeys keys() {
        return keys;
    }

    public RedisConfig config() {
        return config;
    }

    /**
     * Messages published on {@code channel} from now on, on a pub/sub connection of their own (opened on the first
     * call; Lettuce subscribes again after a reconnect), delivered on {@link #CALLERS}. Hot; a message published
     * while the connection is down is lost, which {@link #hears} tells. Subscribes once per channel; call once.
     */
    public synchronized Flux<String> messages(String channel) {
        if (pubSub == null) {
            pubSub = client.connectPubSub(StringCodec.UTF8);
        }
        RedisPubSubReactiveCommands<String, String> commands = pubSub.reactive();
        Flux<String> received = commands.observeChannels()
                .filter(message -> channel.equals(message.getChannel()))
                .map(ChannelMessage::getMessage)
                .publishOn(CALLERS);
        return commands.subscribe(channel)
                .doOnSuccess(done -> subscribed.add(channel))
                .thenMany(received);
    }

    /**
     * Whether this replica listens on {@code channel} now: subscribed, and its pub/sub connection is up. Asked on
     * every execution of a held runtime ({@code RuntimeLookup}), from every event loop: lock-free.
     */
    public boolean hears(String channel) {
        StatefulRedisPubSubConnection<String, String> connection = pubSub;
        return connection != null && connection.isOpen() && subscribed.contains(channel);
    }

    /** Whether the connection is up now; false while Lettuce is reconnecting. For health checks. */
    public boolean isConnected() {
        return connection.isOpen();
    }

    /** Closes the connection and releases the client's threads. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (pubSub != null) {
                pubSub.close();
            }
        }
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
