package dev.hearth.runner.protocol;

import java.util.List;

/**
 * Body of {@code GET /v1/health}.
 *
 * @param status      always {@code ok} when the runner answers
 * @param protocols   protocol versions the runner speaks
 * @param specialized whether a function has been loaded
 * @param adapter     the loaded function's adapter, empty while warm
 * @param inFlight    executions currently running
 */
public record RunnerHealth(String status, List<Integer> protocols, boolean specialized, String adapter,
                           int inFlight) {
}
