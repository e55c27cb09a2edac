package dev.hearth.pool.docker;

import java.nio.file.Files;
import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.hearth.pool.Secrets;
import reactor.core.publisher.Mono;

/**
 * Makes the runner distribution ready for the pods at start: a bind-mounted directory is checked, a volume is created
 * if missing and, when a runner image is configured, filled from it by a short-lived container (as the Kubernetes init
 * container does, but once per start instead of once per pod), which is then removed. Nothing is ever pulled.
 */
final class RunnerInstall {

    private static final Logger log = LoggerFactory.getLogger(RunnerInstall.class);
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);

    private final DockerApi api;
    private final DockerDriverConfig config;
    private final ContainerTemplates templates;

    RunnerInstall(DockerApi api, DockerDriverConfig config, ContainerTemplates templates) {
        this.api = api;
        this.config = config;
        this.templates = templates;
    }

    /** Completes when {@code /opt/hearth} can be mounted into pods; errors saying what is missing. */
    Mono<Void> prepare() {
        if (config.runner() instanceof DockerDriverConfig.RunnerPath path) {
            return Mono.fromRunnable(() -> {
                if (!Files.isExecutable(path.directory().resolve("runner"))) {
                    throw new IllegalStateException("hearth.docker.runner-path " + path.directory() + " holds no"
                            + " executable 'runner': build the distribution there with docker/runner/build-dist.sh --out "
                            + path.directory());
                }
            });
        }
        DockerDriverConfig.RunnerVolume volume = (DockerDriverConfig.RunnerVolume) config.runner();
        Mono<Void> created = api.createVolume(volume.name(), templates.installationLabels(DockerLabels.ROLE_RUNNER_VOLUME));
        return volume.image() == null ? created : created.then(fill(volume));
    }

    private Mono<Void> fill(DockerDriverConfig.RunnerVolume volume) {
        ContainerSpec spec = templates.runnerInstall(
                "hearth-" + config.installation() + "-runner-install-" + Secrets.hex(4), volume);
        return api.imageExists(volume.image())
                .flatMap(present -> present ? Mono.empty() : Mono.error(new IllegalStateException("the runner image '"
                        + volume.image() + "' (hearth.docker.runner-image) is not on the Docker Engine, and nothing is"
                        + " pulled: build it (docker build -f docker/runner/Dockerfile -t " + volume.image() + " .)")))
                .then(api.createContainer(spec))
                .flatMap(id -> api.startContainer(id)
                        .then(api.waitContainer(id, INSTALL_TIMEOUT))
                        .flatMap(exit -> exit == 0 ? Mono.<Void>empty() : failed(id, volume, exit))
                        .doOnSuccess(done -> log.info("Filled the runner volume '{}' from {}", volume.name(), volume.image()))
                        .onErrorResume(error -> api.removeContainer(id).then(Mono.error(error)))
                        .then(api.removeContainer(id)));
    }

    private Mono<Void> failed(String id, DockerDriverConfig.RunnerVolume volume, int exit) {
        return api.logs(id, 20)
                .flatMap(output -> Mono.error(new IllegalStateException("filling the runner volume '" + volume.name()
                        + "' with " + volume.installCommand() + " in " + volume.image() + " exited with " + exit + ": "
                        + output)));
    }
}
