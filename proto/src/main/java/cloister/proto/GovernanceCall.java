package cloister.proto;

import cloister.crypto.AccountId;
import java.util.List;

/** Privileged calls, dispatched only through {@link SudoCall.Sudo}. Later issues add theirs (measurements, gatekeepers). */
public sealed interface GovernanceCall {
    String name();

    /** Sets an account's free balance (dev faucet). */
    record SetBalance(AccountId who, long amount) implements GovernanceCall {
        public SetBalance {
            if (amount < 0) {
                throw new IllegalArgumentException("amount must not be negative");
            }
        }

        @Override
        public String name() {
            return "setBalance";
        }
    }

    /** Hands the sudo role to another account. */
    record SetSudoKey(AccountId newKey) implements GovernanceCall {
        @Override
        public String name() {
            return "setSudoKey";
        }
    }

    /** Sets the minimum fee the pool and the runtime accept. */
    record SetMinimumFee(long fee) implements GovernanceCall {
        public SetMinimumFee {
            if (fee < 0) {
                throw new IllegalArgumentException("fee must not be negative");
            }
        }

        @Override
        public String name() {
            return "setMinimumFee";
        }
    }

    /** Adds a measurement to the allowlist of code that may register as a worker. */
    record AllowMeasurement(int platformCode, byte[] measurement) implements GovernanceCall {
        public AllowMeasurement {
            measurement = measurement.clone();
        }

        @Override
        public byte[] measurement() {
            return measurement.clone();
        }

        @Override
        public String name() {
            return "allowMeasurement";
        }
    }

    /** Removes a measurement from the allowlist (registered workers keep running; new registrations are refused). */
    record DisallowMeasurement(int platformCode, byte[] measurement) implements GovernanceCall {
        public DisallowMeasurement {
            measurement = measurement.clone();
        }

        @Override
        public byte[] measurement() {
            return measurement.clone();
        }

        @Override
        public String name() {
            return "disallowMeasurement";
        }
    }

    /** Makes a registered worker a gatekeeper. */
    record AddGatekeeper(WorkerId worker) implements GovernanceCall {
        @Override
        public String name() {
            return "addGatekeeper";
        }
    }

    /** Starts a new master key epoch; the first gatekeeper creates it and shares it with the others. */
    record RotateMasterKey() implements GovernanceCall {
        @Override
        public String name() {
            return "rotateMasterKey";
        }
    }

    /** Creates a cluster of registered workers (its id is the next cluster number, from 0). */
    record CreateCluster(List<WorkerId> workers) implements GovernanceCall {
        public CreateCluster {
            workers = List.copyOf(workers);
        }

        @Override
        public String name() {
            return "createCluster";
        }
    }

    record AddWorkerToCluster(int cluster, WorkerId worker) implements GovernanceCall {
        @Override
        public String name() {
            return "addWorkerToCluster";
        }
    }

    /** Deploys a Java system contract ({@code kind}, e.g. {@code secret-notes}) into a cluster. */
    record DeploySystemContract(String kind, int cluster) implements GovernanceCall {
        @Override
        public String name() {
            return "deploySystemContract";
        }
    }

    /**
     * What registrations must satisfy: confidence level at most {@code maxConfidenceLevel} (1 best … 5), quotes at
     * most {@code maxQuoteAgeMillis} old at the block's time.
     */
    record SetAttestationPolicy(int maxConfidenceLevel, long maxQuoteAgeMillis) implements GovernanceCall {
        public SetAttestationPolicy {
            if (maxConfidenceLevel < 1 || maxConfidenceLevel > 5 || maxQuoteAgeMillis <= 0) {
                throw new IllegalArgumentException("confidence level 1..5 and a positive quote age");
            }
        }

        @Override
        public String name() {
            return "setAttestationPolicy";
        }
    }

    /**
     * The storage market's slot length in blocks: work reports, payments and repair happen once per slot. Takes effect
     * at the next slot boundary.
     */
    record SetStorageSlot(int blocks) implements GovernanceCall {
        public static final int MIN_BLOCKS = 2;
        public static final int MAX_BLOCKS = 100_000;

        public SetStorageSlot {
            if (blocks < MIN_BLOCKS || blocks > MAX_BLOCKS) {
                throw new IllegalArgumentException("a storage slot is " + MIN_BLOCKS + ".." + MAX_BLOCKS + " blocks");
            }
        }

        @Override
        public String name() {
            return "setStorageSlot";
        }
    }
}
