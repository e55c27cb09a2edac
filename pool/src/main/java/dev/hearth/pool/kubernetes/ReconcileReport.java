package dev.hearth.pool.kubernetes;

/**
 * What one reconciliation of one pool did.
 *
 * @param image          the pool
 * @param warmBefore     warm pods counted (ready or still starting, plus created ones the cache has not shown yet)
 * @param wanted         warm pods wanted
 * @param created        pods created
 * @param createFailures creations that failed (API error or open breaker); retried at the next reconciliation
 * @param deletedSurplus warm pods deleted because there were more than wanted
 * @param deletedFailed  pods deleted because they ended (Failed or Succeeded)
 * @param deletedUnready warm pods deleted because they were not ready within the pool's start timeout
 */
public record ReconcileReport(String image, int warmBefore, int wanted, int created, int createFailures,
                              int deletedSurplus, int deletedFailed, int deletedUnready) {
}
