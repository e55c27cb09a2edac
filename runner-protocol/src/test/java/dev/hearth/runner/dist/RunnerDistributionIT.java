package dev.hearth.runner.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import dev.hearth.runner.client.ExecutionEvent;
import dev.hearth.runner.client.RunnerClient;
import dev.hearth.runner.protocol.ExecutionRequest;
import dev.hearth.runner.protocol.LogLine;
import dev.hearth.runner.protocol.RunnerHealth;
import dev.hearth.runner.protocol.Specialization;
import dev.hearth.runner.testing.TarGz;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The runner distribution ({@code docker/runner}) as a pod runs it: built from the packaged jars, installed with
 * the init container's {@code cp -Rp}, and started as {@code /opt/hearth/runner} in an image that has no glibc
 * anywhere ({@link ForeignRootFs}), as PID 1, uid 10001, read-only {@code /opt/hearth} ({@link SandboxedRunner}).
 * Everything the runner does there, from starting the JVM to spawning the image's shell, proves that it needs
 * nothing from the image but {@code sh}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RunnerDistributionIT {

    private static final Duration BLOCK = Duration.ofSeconds(30);
    /** The JDK's CDS archive and the runner's own (dynamic, on top of it), as the host sees them in maps. */
    private static final String BASE_ARCHIVE = "/opt/hearth/jre/lib/server/classes.jsa";
    private static final String APP_ARCHIVE = "/opt/hearth/app/runner.jsa";
    private static final String ARCHIVE_REJECTED = "The top archive failed to load: " + APP_ARCHIVE;
    private static final String FUNCTION = """
            case "$PATH_INFO" in
              /probe) exec /usr/bin/hearth-probe ;;
              /orphan) (setsid sleep 2 </dev/null >/dev/null 2>&1 &
                        until read -r comm </proc/$!/comm && [ "$comm" = sleep ]; do :; done) ;;
              /sleep) exec sleep 300 ;;
              *) body=$(cat); echo "handled $REQUEST_METHOD $PATH_INFO" >&2; printf '%s, %s' "$GREETING" "$body" ;;
            esac
            """;

    private Path work;
    private RunnerDistribution dist;
    private ForeignRootFs rootFs;
    private RunnerClient client;
    private SandboxedRunner runner;

    @BeforeAll
    void buildAndStart() throws Exception {
        Prerequisites.check();
        work = RunnerDistribution.newWorkDir();
        dist = RunnerDistribution.shared();
        rootFs = ForeignRootFs.create(work.resolve("rootfs"));
        client = RunnerClient.create(Duration.ofSeconds(2));
        runner = SandboxedRunner.start(rootFs, dist, client, work.resolve("exec-runner.log"));
        // The first start also pays for this JVM's client warming up on the same cores: test 5 gives the figure.
        System.out.printf("runner distribution: %.1f MiB; first start to healthy in a sandbox without glibc: %d ms%n",
                dist.sizeBytes() / (1024.0 * 1024.0), runner.startToHealthy().toMillis());
    }

    /** Keeps the runners' logs ({@code *.log}) and deletes the rest (the shared distribution goes with the JVM). */
    @AfterAll
    void stop() throws Exception {
        if (runner != null) {
            runner.close();
        }
        if (work != null) {
            for (String heavy : List.of("opt-hearth-cp-r", "rootfs")) {
                RunnerDistribution.deleteRecursively(work.resolve(heavy));
            }
        }
    }

    @Test
    @Order(1)
    void answersHealthAsPid1OnTheBundledGlibc() throws Exception {
        RunnerHealth health = client.health(runner.target.host(), runner.target.port()).block(BLOCK);

        assertThat(health.status()).isEqualTo("ok");
        assertThat(health.specialized()).as("specialized").isFalse();
        assertThat(Files.readString(Path.of("/proc", Long.toString(runner.launcher().pid()), "status")))
                .as("the launcher's status: PID 1 of its namespace")
                .containsPattern("(?m)^NSpid:\\s+\\d+\\s+1$");
        ProcessHandle jvm = runner.launcher().children().findFirst().orElseThrow();
        String status = Files.readString(Path.of("/proc", Long.toString(jvm.pid()), "status"));
        if (Prerequisites.isRoot()) {
            assertThat(status).as("the JVM's status: the pod's user, no supplementary groups")
                    .containsPattern("(?m)^Uid:\\s+10001\\s+10001\\s+10001\\s+10001$")
                    .containsPattern("(?m)^Gid:\\s+10001\\s+10001\\s+10001\\s+10001$")
                    .containsPattern("(?m)^Groups:\\s*$");
        }
        assertThat(runner.jvmMaps())
                .as("files mapped into the JVM")
                .anyMatch(line -> line.endsWith("/opt/hearth/glibc/ld-linux-x86-64.so.2"))
                .anyMatch(line -> line.endsWith("/opt/hearth/glibc/libc.so.6"))
                .as("files mapped into the JVM: Netty's epoll transport, a native library from a jar, loaded")
                .anyMatch(line -> line.contains("libnetty_transport_native_epoll"))
                .noneMatch(line -> line.matches(".*/(libc|ld-)[^/]*$") && !line.contains("/opt/hearth/glibc/"))
                .as("files mapped into the JVM: both class archives, so cp -Rp kept the jars' mtimes")
                .anyMatch(line -> line.endsWith(BASE_ARCHIVE))
                .anyMatch(line -> line.endsWith(APP_ARCHIVE));
        assertThat(runner.output()).as("the runner's output").doesNotContain(ARCHIVE_REJECTED);
    }

    @Test
    @Order(2)
    void runsAnExecFunctionWithTheImagesShell() {
        client.specialize(runner.target,
                        new Specialization("exec", "sh main.sh", "main.sh", Map.of("GREETING", "Grüße ✓"), 10_000),
                        Mono.just(Unpooled.wrappedBuffer(TarGz.builder().file("main.sh", FUNCTION, 0755).build())))
                .block(BLOCK);

        Execution result = execute("POST", "/greet", "hello from the test");

        assertThat(result.head().status()).isEqualTo(200);
        assertThat(result.body()).as("body: UTF-8 survives the JVM's environment encoding")
                .isEqualTo("Grüße ✓, hello from the test");
        assertThat(result.end().exitCode()).isZero();
        assertThat(result.end().errors()).isEqualTo("handled POST /greet\n");
        List<LogLine> log = client.logs(runner.target, false).collectList().block(BLOCK);
        assertThat(log).as("live log").anySatisfy(line -> {
            assertThat(line.stream()).isEqualTo("stderr");
            assertThat(line.line()).isEqualTo("handled POST /greet");
        });
    }

    @Test
    @Order(3)
    void functionProcessesSeeNeitherLdVariablesNorTheBundledGlibc() {
        Execution result = execute("GET", "/probe", "");

        assertThat(result.end().exitCode()).as("probe exit code; errors: %s", result.end().errors()).isZero();
        List<String> lines = result.body().lines().toList();
        assertThat(lines).as("what the image's musl program saw")
                .noneMatch(line -> line.startsWith("env LD_"))
                .anyMatch(line -> line.equals("map /lib/ld-musl-x86_64.so.1"))
                .anyMatch(line -> line.equals("map " + ForeignRootFs.PROBE))
                .noneMatch(line -> line.contains("/opt/hearth"));
    }

    @Test
    @Order(4)
    void reapsOrphansAsPid1() throws Exception {
        execute("GET", "/orphan", "");

        // setsid took the sleep out of the function's process group, so it outlives the execution as PID 1's. The
        // function returns only once the orphan runs sleep, so after its setsid: until then it was still in the
        // group that the runner kills when the execution ends.
        assertThat(runner.orphans()).as("orphans of PID 1 right after the execution")
                .anyMatch(stat -> stat.contains("(sleep)"));
        // The orphan's sleep ends 2 s after it started; PID 1 must then reap it, leaving no zombie.
        await().alias("PID 1 reaped the orphan after its sleep ended")
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(runner.orphans())
                        .as("orphans (Z: unreaped) of PID 1 after the sleep ended").isEmpty());
    }

    @Test
    @Order(5)
    void proxiesAnHttpFunctionServedByTheImage() throws Exception {
        try (SandboxedRunner http = SandboxedRunner.start(rootFs, dist, client, work.resolve("http-runner.log"))) {
            System.out.printf("start to healthy in a sandbox without glibc (with app/runner.jsa): %d ms%n",
                    http.startToHealthy().toMillis());
            byte[] site = TarGz.builder().file("www/index.html", "served by busybox httpd\n").build();
            client.specialize(http.target,
                            new Specialization("http", "exec httpd -f -p 127.0.0.1:$PORT -h www", "", Map.of(), 10_000),
                            Mono.just(Unpooled.wrappedBuffer(site)))
                    .block(BLOCK);

            Execution result = execute(http, "GET", "/index.html", "");

            assertThat(result.head().status()).isEqualTo(200);
            assertThat(result.body()).isEqualTo("served by busybox httpd\n");
            assertThat(http.terminate(Duration.ofSeconds(15))).as("exit status after SIGTERM").isEqualTo(143);
            SandboxedRunner.assertNoProcessLeft(http);
        }
    }

    @Test
    @Order(6)
    void stopsOnSigtermKillingFunctionsAndLeavingNoProcess() throws Exception {
        CompletableFuture<List<ExecutionEvent>> inFlight = client.execute(runner.target,
                        new ExecutionRequest("GET", "/sleep", Map.of(), 600_000), Flux.empty())
                .collectList()
                .toFuture();
        await().alias("the function's sleep started in the sandbox")
                .atMost(BLOCK)
                .pollInterval(Duration.ofMillis(20))
                .untilAsserted(() -> assertThat(runner.processes()).as("launcher, JVM and the function's sleep")
                        .hasSizeGreaterThanOrEqualTo(3));

        int status = runner.terminate(Duration.ofSeconds(15));

        assertThat(status).as("exit status after SIGTERM; output:%n%s", runner.output()).isEqualTo(143);
        SandboxedRunner.assertNoProcessLeft(runner);
        assertThat(inFlight.exceptionally(cut -> List.of())).as("the execution in flight ends").succeedsWithin(BLOCK);
    }

    /** -Xshare:on: the JVM refuses to start unless both archives are usable, instead of starting without them. */
    @Test
    @Order(7)
    void loadsTheRunnersClassesFromItsArchive() throws Exception {
        try (SandboxedRunner strict = SandboxedRunner.start(rootFs, dist, client, work.resolve("xshare-on-runner.log"),
                "-Xshare:on -Xlog:class+load=info")) {
            assertThat(strict.output()).as("class loading of a runner started with -Xshare:on")
                    .contains("dev.hearth.runner.RunnerMain source: shared objects file (top)")
                    .contains("reactor.netty.http.server.HttpServer source: shared objects file (top)");
        }
    }

    /** JDK 17 checks every jar's size and mtime against the archive's record; cp -R sets the mtimes to now. */
    @Test
    @Order(8)
    void startsWithoutItsArchiveWhenTheInstallLostTheJarsMtimes() throws Exception {
        RunnerDistribution withoutMtimes = dist.installedWithoutMtimes(work.resolve("opt-hearth-cp-r"));
        try (SandboxedRunner fallback = SandboxedRunner.start(rootFs, withoutMtimes, client,
                work.resolve("cp-r-runner.log"))) {
            System.out.printf("start to healthy in a sandbox without glibc, installed with cp -R"
                    + " (app/runner.jsa rejected): %d ms%n", fallback.startToHealthy().toMillis());

            RunnerHealth health = client.health(fallback.target.host(), fallback.target.port()).block(BLOCK);

            assertThat(health.status()).isEqualTo("ok");
            assertThat(fallback.output()).as("the runner's output: JDK 17's one warning").contains(ARCHIVE_REJECTED);
            assertThat(fallback.jvmMaps()).as("files mapped into the JVM: the JDK's archive only")
                    .anyMatch(line -> line.endsWith(BASE_ARCHIVE))
                    .noneMatch(line -> line.endsWith(APP_ARCHIVE));
        }
    }

    private Execution execute(String method, String path, String body) {
        return execute(runner, method, path, body);
    }

    private Execution execute(SandboxedRunner target, String method, String path, String body) {
        return Execution.run(client, target.target, method, path, body);
    }
}
