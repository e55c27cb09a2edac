package dev.hearth.runner.client;

/** Timings a runner reports for a specialization, in milliseconds. */
public record SpecializeResult(double extractMs, double startMs) {
}
