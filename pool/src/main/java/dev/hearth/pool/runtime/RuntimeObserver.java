package dev.hearth.pool.runtime;

import dev.hearth.pool.StoreUnavailableException;

/**
 * What the runtime lifecycle reports for metrics: lease claims, specializations, lease renewals and why
 * runtimes end. The gateway implements it with Micrometer; {@link #NONE} everywhere else. An observer, not
 * Micrometer in this module, for the reasons given on {@link dev.hearth.pool.PoolObserver}.
 *
 * <p>Threading: called on whatever thread the event happens on. Implementations must be quick, must not
 * block and must not throw.
 */
public interface RuntimeObserver {

    RuntimeObserver NONE = new RuntimeObserver() {
    };

    /** How claiming the lease on an acquired pod ended. */
    enum Claim {
        CLAIMED,
        /** Another holder has the pod's lease. */
        TAKEN,
        /** The lease store did not answer. */
        STORE_UNAVAILABLE,
        FAILED;

        static Claim of(Throwable error) {
            return error instanceof StoreUnavailableException ? STORE_UNAVAILABLE : FAILED;
        }
    }

    /** How loading a function into its pod ended. */
    enum Specialize {
        READY,
        /** The function could not be loaded (bad source, entrypoint, or it exited): the function's fault. */
        FUNCTION_ERROR,
        /** Anything else: the runner unreachable, the store, the runtime deleted meanwhile. */
        FAILED;

        static Specialize of(Throwable error) {
            return error instanceof RuntimeStartException ? FUNCTION_ERROR : FAILED;
        }
    }

    /** What became of one lease at a renewal. */
    enum Renewal {
        RENEWED,
        /** The store no longer had it (expired, or released by a delete elsewhere): its runtime ends. */
        LOST,
        /** The store did not answer: the lease is kept until it expires. */
        FAILED
    }

    /** Why a runtime this replica held ended. */
    enum Release {
        /** Deleted through the API, here or on another replica. */
        DELETED,
        /** No execution and no activity for the inactivity threshold. */
        IDLE,
        /** Its lease was gone at a renewal. */
        LEASE_LOST,
        /** Its lease ran out while the store could not be reached. */
        LEASE_EXPIRED,
        /** Its pod died under it. */
        POD_ENDED,
        /** A build runtime whose build is over: removed after it (failed, or asked to), or its caller went away. */
        BUILT,
        SHUTDOWN
    }

    /** Claiming the lease on an acquired pod of {@code image} ended after {@code nanos}. */
    default void leaseClaimed(String image, Claim outcome, long nanos) {
    }

    /** Specializing a pod of {@code image} ended after {@code nanos}. */
    default void specialized(String image, Specialize outcome, long nanos) {
    }

    /** {@code count} leases came out of a renewal as {@code outcome}. */
    default void leasesRenewed(Renewal outcome, int count) {
    }

    /** A runtime of {@code image} held by this replica ended. Called once per runtime. */
    default void released(String image, Release reason) {
    }
}
