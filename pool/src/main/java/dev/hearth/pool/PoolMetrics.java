package dev.hearth.pool;

/**
 * A snapshot of one pool's counts.
 *
 * @param warm     pods ready to be claimed
 * @param claimed  pods serving a runtime
 * @param creating pods being created
 * @param pending  acquisitions waiting for a pod
 * @param target   warm pods the pool aims to keep ({@code size})
 */
public record PoolMetrics(int warm, int claimed, int creating, int pending, int target) {
}
