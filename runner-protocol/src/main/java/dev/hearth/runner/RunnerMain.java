package dev.hearth.runner;

import java.util.concurrent.CountDownLatch;

/**
 * Entry point of the runner executable: configuration from {@code HEARTH_RUNNER_*}, runs until {@code SIGTERM},
 * whose shutdown hook kills every function process before the JVM exits.
 */
public final class RunnerMain {

    private RunnerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Runner runner = Runner.start(RunnerConfig.fromEnvironment(System.getenv()));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            runner.close();
            stopped.countDown();
        }, "hearth-runner-shutdown"));
        stopped.await();
    }
}
