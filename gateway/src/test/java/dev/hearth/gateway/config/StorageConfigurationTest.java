package dev.hearth.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.context.ConfigurationPropertiesAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

import dev.hearth.gateway.HearthApplication;
import dev.hearth.gateway.storage.LocalStorage;
import dev.hearth.gateway.storage.S3Storage;
import dev.hearth.gateway.storage.Storage;

/** The storage device is chosen by configuration at startup; a bad DSN stops the gateway without showing its secret. */
@ExtendWith(OutputCaptureExtension.class)
class StorageConfigurationTest {

    private static final String SECRET = "Sup3r-S3cret";

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(HearthProperties.class)
    @Import(StorageConfiguration.class)
    static class Wired {
    }

    @TempDir
    Path dir;

    private ApplicationContextRunner context() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ConfigurationPropertiesAutoConfiguration.class))
                .withUserConfiguration(Wired.class)
                .withPropertyValues("hearth.work-dir=" + dir.resolve("w"), "hearth.storage-root=" + dir.resolve("s"),
                        "hearth.pool-defaults.size=1", "hearth.pool-defaults.max=4",
                        "hearth.pool-defaults.max-pending=4", "hearth.pool-defaults.acquire-timeout=5s",
                        "hearth.pool-defaults.adapter=exec", "hearth.pool-defaults.command=sh",
                        "hearth.pool-defaults.start-timeout=5s");
    }

    @Test
    void theLocalDirectoryIsTheDefault() {
        context().run(started -> assertThat(started.getBean(Storage.class)).isInstanceOf(LocalStorage.class)
                .extracting(Storage::describe).isEqualTo("local directory " + dir.resolve("s").toRealPath()));
    }

    @Test
    void anOpenRuntimesLocalDsnIsTheLocalDirectory() {
        context().withPropertyValues("hearth.storage.dsn=local://localhost")
                .run(started -> assertThat(started.getBean(Storage.class)).isInstanceOf(LocalStorage.class));
    }

    @Test
    void anS3DsnChoosesTheS3Device() {
        context().withPropertyValues("hearth.storage.dsn=s3://key:" + SECRET + "@127.0.0.1:9/bucket?insecure=true")
                .run(started -> assertThat(started.getBean(Storage.class)).isInstanceOf(S3Storage.class)
                        .extracting(Storage::describe).isEqualTo("s3://bucket/ at http://127.0.0.1:9"));
    }

    @Test
    void theS3DeviceCanBeConfiguredWithoutADsn() {
        context().withPropertyValues("hearth.storage.device=s3", "hearth.storage.s3.bucket=b",
                        "hearth.storage.s3.endpoint=http://127.0.0.1:9", "hearth.storage.s3.access-key=k",
                        "hearth.storage.s3.secret-key=" + SECRET)
                .run(started -> assertThat(started.getBean(Storage.class).describe())
                        .isEqualTo("s3://b/ at http://127.0.0.1:9"));
    }

    @Test
    void anUnknownSchemeStopsStartupNamingItAndNotTheSecret() {
        context().withPropertyValues("hearth.storage.dsn=azure://account:" + SECRET + "@host/container")
                .run(started -> {
                    assertThat(started).hasFailed();
                    assertThat(started.getStartupFailure())
                            .hasStackTraceContaining("unknown storage scheme 'azure'")
                            .hasStackTraceContaining("OPR_EXECUTOR_CONNECTION_STORAGE");
                    for (Throwable e = started.getStartupFailure(); e != null; e = e.getCause()) {
                        assertThat(String.valueOf(e.getMessage())).as("message of %s", e).doesNotContain(SECRET);
                    }
                });
    }

    /** What an operator sees: Spring Boot's startup failure report, for a bad DSN and for a bad key beside it. */
    @Test
    void theStartupFailureReportNeverShowsTheDsnsSecret(CapturedOutput output) {
        Throwable badScheme = start("--hearth.storage.dsn=gcs://key:" + SECRET + "@host/bucket");
        Throwable badKey = start("--hearth.storage.dsn=s3://key:" + SECRET + "@host/bucket",
                "--hearth.storage.s3.read-retries=99");

        assertThat(badScheme).as("startup with an unknown scheme").isNotNull();
        assertThat(badKey).as("startup with a bad key").isNotNull();
        assertThat(output.getAll()).as("startup output").contains("unknown storage scheme 'gcs'")
                .contains("hearth.storage.s3.read-retries must be between 0 and 10")
                .doesNotContain(SECRET);
    }

    private Throwable start(String... args) {
        String[] all = new String[args.length + 4];
        all[0] = "--server.port=0";
        all[1] = "--hearth.executor.secret=s";
        all[2] = "--hearth.work-dir=" + dir.resolve("work");
        all[3] = "--hearth.storage-root=" + dir.resolve("storage");
        System.arraycopy(args, 0, all, 4, args.length);
        return catchThrowable(() -> new SpringApplicationBuilder(HearthApplication.class)
                .logStartupInfo(false)
                .run(all)
                .close());
    }
}
