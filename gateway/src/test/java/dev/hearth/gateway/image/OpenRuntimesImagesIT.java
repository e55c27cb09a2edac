package dev.hearth.gateway.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.HostConfig;

import dev.hearth.runner.testing.TarGz;
import dev.hearth.runner.testing.docker.LocalImages;
import dev.hearth.runner.testing.docker.OpenRuntimesImages;

/**
 * The clean-room Open Runtimes images of {@code docker/testing/openruntimes} on their own, run as the upstream
 * executor runs them (reference §1.4, §2.1, §2.3, §9): as root, the build with Appwrite's build command, the runtime
 * with Appwrite's start line, its files exchanged through bind mounts at {@code /tmp}, {@code /mnt/code},
 * {@code /mnt/logs}. What each test checks is what an executor observes of an official image.
 *
 * <p>The engine has no bridge network: a runtime listens on the host's port 3000, so the tests run one container
 * at a time (JUnit runs this class's methods one after the other) and remove it after each test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenRuntimesImagesIT {

    private static final Path FUNCTIONS = Path.of("src/test/resources/openruntimes/functions");
    private static final String LABEL = "dev.hearth.test.openruntimes-images";
    private static final String SECRET = "standalone-secret";
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final DockerClient docker = LocalImages.requireEngine();
    private final List<String> containers = new ArrayList<>();
    private String v5;
    private String v2;

    @BeforeAll
    void buildImages() {
        v5 = OpenRuntimesImages.v5();
        v2 = OpenRuntimesImages.v2();
    }

    @AfterEach
    void removeContainers() {
        containers.forEach(id -> docker.removeContainerCmd(id).withForce(true).exec());
        containers.clear();
    }

    @Test
    void theV5ImageRunsAsRootInItsServerDirectory() {
        var config = docker.inspectImageCmd(v5).exec().getConfig();
        assertThat(config.getUser()).as("no USER: root").isNullOrEmpty();
        assertThat(config.getWorkingDir()).isEqualTo("/usr/local/server");
        assertThat(config.getEnv()).contains("OPEN_RUNTIMES_SECRET=open_runtime_secret",
                "OPEN_RUNTIMES_SERVER_COMMAND=node src/server.js");
    }

    @Test
    void aV5BuildRunsTheInstallCommandAndPacksTheFunctionIntoMntCode(@TempDir Path dir) throws Exception {
        Mounts mounts = Mounts.in(dir, v5Source());
        Run build = run(v5, mounts, Map.of("OPEN_RUNTIMES_ENTRYPOINT", "index.js"), false,
                "tar -zxf /tmp/code.tar.gz -C /mnt/code && helpers/build.sh 'echo \"installed as $(id -u)\" > installed.txt'");

        assertThat(build.exitCode()).as("exit code; output %s", build.output()).isZero();
        assertThat(build.output()).contains("[open-runtimes] Build command execution started.",
                "[open-runtimes] Build finished.");
        byte[] artifact = Files.readAllBytes(mounts.code().resolve("code.tar.gz"));
        assertThat(artifact[0] & 0xff).as("gzip by default").isEqualTo(0x1f);
        Map<String, String> files = untar(new GzipCompressorInputStream(new ByteArrayInputStream(artifact)));
        assertThat(files).containsEntry("./installed.txt", "installed as 0\n").containsKeys("./index.js", "./echo.js");
        assertThat(files.get("./.open-runtimes")).contains("OPEN_RUNTIMES_ENTRYPOINT=index.js");
    }

    @Test
    void aV5BuildHonoursTheOutputDirectoryAndNoCompression(@TempDir Path dir) throws Exception {
        Mounts mounts = Mounts.in(dir, v5Source());
        Run build = run(v5, mounts, Map.of("OPEN_RUNTIMES_ENTRYPOINT", "index.js",
                        "OPEN_RUNTIMES_OUTPUT_DIRECTORY", "dist", "OPEN_RUNTIMES_BUILD_COMPRESSION", "none"), false,
                "tar -zxf /tmp/code.tar.gz -C /mnt/code && helpers/build.sh 'mkdir dist && cp index.js echo.js dist/'");

        assertThat(build.exitCode()).as("exit code; output %s", build.output()).isZero();
        byte[] artifact = Files.readAllBytes(mounts.code().resolve("code.tar.gz"));
        assertThat(artifact[0] & 0xff).as("a plain tar under the same name").isNotEqualTo(0x1f);
        assertThat(untar(new ByteArrayInputStream(artifact)).keySet()).as("only the output directory")
                .containsExactlyInAnyOrder("./index.js", "./echo.js", "./.open-runtimes");
    }

    @Test
    void aFailingV5InstallCommandFailsTheBuild(@TempDir Path dir) throws Exception {
        Mounts mounts = Mounts.in(dir, v5Source());
        Run build = run(v5, mounts, Map.of(), false,
                "tar -zxf /tmp/code.tar.gz -C /mnt/code && helpers/build.sh 'echo broken >&2; exit 3'");

        assertThat(build.exitCode()).as("exit code; output %s", build.output()).isNotZero();
        assertThat(build.output()).contains("broken").doesNotContain("Build finished.");
        assertThat(mounts.code().resolve("code.tar.gz")).doesNotExist();
    }

    @Test
    void theV5ServerSpeaksTheRuntimeProtocol(@TempDir Path dir) throws Exception {
        Mounts mounts = Mounts.in(dir, v5Source());
        Run build = run(v5, mounts, Map.of("OPEN_RUNTIMES_ENTRYPOINT", "index.js"), false,
                "tar -zxf /tmp/code.tar.gz -C /mnt/code && helpers/build.sh 'true'");
        assertThat(build.exitCode()).as("build; output %s", build.output()).isZero();
        Mounts runtime = Mounts.in(dir.resolve("runtime"),
                Files.readAllBytes(mounts.code().resolve("code.tar.gz")));
        // The build's entrypoint (index.js, in .open-runtimes) wins over the container's.
        run(v5, runtime, Map.of("OPEN_RUNTIMES_SECRET", SECRET, "OPEN_RUNTIMES_ENTRYPOINT", "missing.js"), true,
                "cp /tmp/code.tar.gz /mnt/code/code.tar.gz && nohup helpers/start.sh \"bash helpers/server.sh\"");
        await("the server answers its health route").atMost(WAIT).ignoreExceptions()
                .until(() -> RawHttp.send("GET", "/__opr/health", Map.of(), null).status() == 200);

        RawHttp.Answer unauthorized = RawHttp.send("GET", "/echo", Map.of("x-open-runtimes-secret", "wrong"), null);
        assertThat(unauthorized.status()).isEqualTo(500);
        assertThat(unauthorized.text()).isEqualTo("Unauthorized. Provide correct \"x-open-runtimes-secret\" header.");
        RawHttp.Answer badTimeout = RawHttp.send("GET", "/echo", control(Map.of("x-open-runtimes-timeout", "abc")), null);
        assertThat(badTimeout.status()).isEqualTo(500);
        assertThat(badTimeout.text()).isEqualTo("Header \"x-open-runtimes-timeout\" must be an integer greater than 0.");

        RawHttp.Answer echo = RawHttp.send("POST", "/echo?x=1", control(Map.of("host", "fn.example.test",
                "x-forwarded-proto", "https", "x-open-runtimes-log-id", "echo1", "content-type", "text/plain")), "hi");
        assertThat(echo.status()).isEqualTo(200);
        assertThat(echo.header("x-echo")).containsExactly("yes");
        assertThat(echo.text()).as("what the function saw").contains("\"url\":\"https://fn.example.test/echo?x=1\"",
                "\"host\":\"fn.example.test\"", "\"body\":\"hi\"").doesNotContain("x-open-runtimes-");
        assertThat(echo.header("x-open-runtimes-log-id")).containsExactly("echo1");
        assertThat(runtime.logs().resolve("echo1_logs.log")).hasContent("echo POST /echo");
        assertThat(runtime.logs().resolve("echo1_errors.log")).hasContent("echo error line");

        RawHttp.Answer logged = RawHttp.send("POST", "/logs", control(Map.of()), null);
        String id = logged.header("x-open-runtimes-log-id").get(0);
        assertThat(id).as("a generated log id").matches("[0-9a-f]{20}");
        assertThat(Files.readString(runtime.logs().resolve(id + "_logs.log"))).isEqualTo("first log line\n"
                + "an object {\"a\":1}\nNative logs detected. Use context.log() or context.error() for better"
                + " experience.\nnative log\n");
        int files = fileCount(runtime.logs());
        RawHttp.Answer silent = RawHttp.send("POST", "/logs", control(Map.of("x-open-runtimes-logging", "disabled")), null);
        assertThat(silent.status()).isEqualTo(201);
        assertThat(silent.header("x-open-runtimes-log-id")).as("present but empty").containsExactly("");
        assertThat(fileCount(runtime.logs())).as("logging disabled: no files").isEqualTo(files);

        long started = System.nanoTime();
        RawHttp.Answer slow = RawHttp.send("GET", "/slow", control(Map.of("x-open-runtimes-timeout", "1",
                "x-open-runtimes-log-id", "slow1")), null);
        assertThat(slow.status()).isEqualTo(500);
        assertThat(slow.body()).isEmpty();
        assertThat((System.nanoTime() - started) / 1_000_000).as("ended at the timeout").isLessThan(10_000);
        assertThat(runtime.logs().resolve("slow1_errors.log")).hasContent("Execution timed out.");

        assertThat(RawHttp.send("GET", "/cookies", control(Map.of()), null).header("set-cookie"))
                .as("one line per cookie").containsExactly("a=1; Path=/", "b=2; Path=/");
        byte[] bytes = RawHttp.send("GET", "/binary", control(Map.of()), null).body();
        assertThat(bytes).hasSize(256);
        for (int i = 0; i < bytes.length; i++) {
            assertThat(bytes[i] & 0xff).as("byte %d", i).isEqualTo(i);
        }
        RawHttp.Answer thrown = RawHttp.send("GET", "/throws", control(Map.of("x-open-runtimes-log-id", "t1")), null);
        assertThat(thrown.status()).isEqualTo(500);
        assertThat(Files.readString(runtime.logs().resolve("t1_errors.log"))).contains("Error: thrown by the function");
        assertThat(RawHttp.send("GET", "/__opr/timings", Map.of(), null).text()).contains("extract=", "startup=");
    }

    @Test
    void theV2ImageBuildsAndAnswersTheLegacyEnvelope(@TempDir Path dir) throws Exception {
        Mounts mounts = Mounts.in(dir, TarGz.builder().file("index.js",
                Files.readString(FUNCTIONS.resolve("v2/index.js"))).build());
        Run build = run(v2, mounts.v2(), Map.of(), false,
                "tar -zxf /tmp/code.tar.gz -C /usr/code && cd /usr/local/src/ && ./build.sh");
        assertThat(build.exitCode()).as("build; output %s", build.output()).isZero();
        Mounts runtime = Mounts.in(dir.resolve("runtime"), Files.readAllBytes(mounts.code().resolve("code.tar.gz")));
        run(v2, runtime.v2(), Map.of("INTERNAL_RUNTIME_KEY", SECRET), true, null);
        await("the v2 server listens").atMost(WAIT).ignoreExceptions()
                .until(() -> RawHttp.send("POST", "/", Map.of(), "{}").status() == 500);

        RawHttp.Answer refused = RawHttp.send("POST", "/", Map.of("x-internal-challenge", "wrong"), "{}");
        assertThat(refused.status()).isEqualTo(500);
        assertThat(refused.text()).isEqualTo("{\"stderr\":\"Unauthorized\"}");
        RawHttp.Answer answer = RawHttp.send("POST", "/", Map.of("x-internal-challenge", SECRET,
                "content-type", "application/json"),
                "{\"variables\":{\"GREETING\":\"hello\"},\"payload\":\"pay\",\"headers\":{\"x-v2\":\"h\"}}");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.text()).isEqualTo("{\"response\":{\"payload\":\"pay\",\"greeting\":\"hello\",\"header\":\"h\"},"
                + "\"stdout\":\"v2 log line\",\"stderr\":\"v2 error line\"}");
    }

    private static Map<String, String> control(Map<String, String> more) {
        Map<String, String> headers = new LinkedHashMap<>(more);
        headers.put("x-open-runtimes-secret", SECRET);
        return headers;
    }

    private static byte[] v5Source() throws IOException {
        TarGz.Builder archive = TarGz.builder();
        try (Stream<Path> files = Files.list(FUNCTIONS.resolve("v5"))) {
            for (Path file : files.sorted().toList()) {
                archive.file(file.getFileName().toString(), Files.readString(file));
            }
        }
        return archive.build();
    }

    private static Map<String, String> untar(InputStream in) throws IOException {
        Map<String, String> files = new LinkedHashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                if (entry.isFile()) {
                    files.put(entry.getName(), new String(tar.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        }
        return files;
    }

    private static int fileCount(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return (int) files.count();
        }
    }

    /** A container's end: its exit code and its output. */
    private record Run(int exitCode, String output) {
    }

    /**
     * Runs {@code command} ({@code bash -c}, or the image's own command when null) in a container of {@code image}
     * as the image's user (root), with {@code mounts}; a {@code server} is left running on the host's network,
     * anything else runs without a network to its end.
     */
    private Run run(String image, Mounts mounts, Map<String, String> env, boolean server, String command)
            throws InterruptedException {
        var create = docker.createContainerCmd(image)
                .withLabels(Map.of(LABEL, "true"))
                .withEnv(env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())
                .withHostConfig(HostConfig.newHostConfig().withNetworkMode(server ? "host" : "none")
                        .withBinds(mounts.binds()));
        if (command != null) {
            create.withEntrypoint("bash", "-c", command).withCmd(List.of());
        }
        String id = create.exec().getId();
        containers.add(id);
        docker.startContainerCmd(id).exec();
        if (server) {
            return new Run(-1, "");
        }
        int exit = docker.waitContainerCmd(id).start().awaitStatusCode(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        StringBuilder output = new StringBuilder();
        docker.logContainerCmd(id).withStdOut(true).withStdErr(true)
                .exec(new com.github.dockerjava.api.async.ResultCallback.Adapter<com.github.dockerjava.api.model.Frame>() {
                    @Override
                    public void onNext(com.github.dockerjava.api.model.Frame frame) {
                        output.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                    }
                }).awaitCompletion(10, java.util.concurrent.TimeUnit.SECONDS);
        return new Run(exit, output.toString());
    }

    /** Host directories mounted where an executor mounts them: the source or artifact at /tmp/code.tar.gz. */
    private record Mounts(Path tmp, Path code, Path logs, boolean legacy) {

        static Mounts in(Path dir, byte[] archive) throws IOException {
            Mounts mounts = new Mounts(dir.resolve("tmp"), dir.resolve("code"), dir.resolve("logs"), false);
            for (Path path : List.of(mounts.tmp, mounts.code, mounts.logs)) {
                Files.createDirectories(path);
            }
            Files.write(mounts.tmp.resolve("code.tar.gz"), archive);
            return mounts;
        }

        /** v2 images find the code at /usr/code and have no log files. */
        Mounts v2() {
            return new Mounts(tmp, code, logs, true);
        }

        List<Bind> binds() {
            List<Bind> binds = new ArrayList<>(List.of(Bind.parse(tmp + ":/tmp"),
                    Bind.parse(code + (legacy ? ":/usr/code" : ":/mnt/code"))));
            if (!legacy) {
                binds.add(Bind.parse(logs + ":/mnt/logs"));
            }
            return binds;
        }
    }
}
