package dev.hearth.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;

import dev.hearth.runner.protocol.Specialization;
import dev.hearth.runner.testing.TarGz;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

class RunnerCloseIT {

    @TempDir
    Path workDir;

    @Test
    void closeKillsRunningExecutionTrees() throws Exception {
        RunnerHarness harness = RunnerHarness.start(workDir);
        harness.specializeExec("sleep 300 & echo $! > grandchild.pid; echo $$ > shell.pid; sleep 300");
        Disposable execution = harness.executeRaw(RunnerHarness.request(60_000), Flux.empty(), false)
                .subscribe(parser -> { }, error -> { });
        long grandchild = harness.readPid("grandchild.pid");
        long shell = harness.readPid("shell.pid");
        assertThat(harness.runner.liveProcesses()).as("live before close").isGreaterThanOrEqualTo(2);

        harness.close();
        harness.close();

        assertThat(harness.runner.liveProcesses()).isZero();
        RunnerHarness.assertGone(grandchild);
        RunnerHarness.assertGone(shell);
        assertThat(workDir.resolve("code")).as("work dir left to its owner").exists();
        execution.dispose();
    }

    @Test
    void closeKillsHttpServerTree() throws Exception {
        RunnerHarness harness = RunnerHarness.start(workDir);
        String server = "import os, subprocess, http.server\n"
                + "child = subprocess.Popen(['sleep', '300'])\n"
                + "open('child.pid', 'w').write(str(child.pid))\n"
                + "http.server.HTTPServer(('127.0.0.1', int(os.environ['PORT'])),"
                + " http.server.BaseHTTPRequestHandler).serve_forever()\n";
        harness.specialize(new Specialization("http", "python3 server.py", "server.py", Map.of(), 10_000),
                TarGz.builder().file("server.py", server).build());
        long child = harness.readPid("child.pid");

        harness.close();

        assertThat(harness.runner.liveProcesses()).isZero();
        RunnerHarness.assertGone(child);
    }
}
