package cloister.proto;

import cloister.common.Hash;
import cloister.crypto.AccountId;
import cloister.crypto.X25519PublicKey;

/** Something the runtime did, recorded per block. Encoded by {@link EventCodec}. */
public sealed interface Event {
    /** The event's type word as shown by the API and CLI, e.g. {@code Transfer}. */
    default String type() {
        return getClass().getSimpleName();
    }

    record Transfer(AccountId from, AccountId to, long amount) implements Event {}

    /** A fee was charged (it goes to the treasury). */
    record FeePaid(AccountId who, long amount) implements Event {}

    /** A transaction was included and its fee charged, but its call failed: its other effects were rolled back. */
    record TxFailed(Hash txHash, String reason, String message) implements Event {}

    record SudoExecuted(String call) implements Event {}

    record BalanceSet(AccountId who, long amount) implements Event {}

    record SudoKeyChanged(AccountId newKey) implements Event {}

    record MinimumFeeChanged(long fee) implements Event {}

    record MeasurementAllowed(int platformCode, String measurementHex) implements Event {}

    record MeasurementDisallowed(int platformCode, String measurementHex) implements Event {}

    record AttestationPolicySet(int maxConfidenceLevel, long maxQuoteAgeMillis) implements Event {}

    record WorkerRegistered(WorkerId worker, AccountId operator, int platformCode, int confidenceLevel) implements Event {}

    record GatekeeperAdded(WorkerId worker) implements Event {}

    record MasterKeyRotationRequested(int epoch, WorkerId by) implements Event {}

    record MasterKeyPublished(int epoch, X25519PublicKey publicKey) implements Event {}

    record ClusterCreated(int cluster, int workers) implements Event {}

    record WorkerJoinedCluster(int cluster, WorkerId worker) implements Event {}

    record ClusterKeyPublished(int cluster, X25519PublicKey publicKey) implements Event {}

    record ContractDeployed(ContractId contract, String kind, int cluster) implements Event {}

    record ContractKeyPublished(ContractId contract, X25519PublicKey publicKey, int deliveries) implements Event {}

    /** A worker's signed message was accepted with sequence number {@code seq}. */
    record WorkerMessageAccepted(WorkerId worker, long seq, String message) implements Event {}

    /** A worker's authentic, in-order message whose content was refused (its sequence number is used up). */
    record WorkerMessageRefused(WorkerId worker, long seq, String reason, String message) implements Event {}

    record CodeUploaded(Hash codeHash, int size) implements Event {}

    record ContractInstantiated(ContractId contract, Hash codeHash, AccountId owner, int cluster) implements Event {}

    record ContractUpgraded(ContractId contract, Hash codeHash) implements Event {}

    /** A WebAssembly call was queued; {@code reserved} units are held until a worker reports the gas used. */
    record ContractCalled(ContractId contract, AccountId sender, long gasLimit, long reserved) implements Event {}

    /** A call's gas was settled: {@code fee} charged for {@code gasUsed}, {@code refund} returned to the payer. */
    record GasSettled(Hash txHash, long gasUsed, long fee, long refund) implements Event {}

    /**
     * Another worker of the cluster reported a different outcome (gas, events or transfers) for an already settled
     * call: the workers disagree, which deterministic execution rules out unless one is faulty or dishonest.
     */
    record SettlementMismatch(Hash txHash, WorkerId worker, long reported, long settled) implements Event {}

    /** An encrypted command was queued for a contract (its content is ciphertext: only the size is public). */
    record CommandPushed(ContractId contract, AccountId sender, int size) implements Event {}

    /**
     * A WebAssembly call emitted event {@code index}: {@code data} is the contract's bytes if {@code isPublic}, else an
     * HPKE message sealed to the contract key (enc ‖ ciphertext; only the contract's workers can open it).
     */
    record ContractEmitted(ContractId contract, Hash txHash, int index, boolean isPublic, byte[] data) implements Event {
        public ContractEmitted {
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ContractEmitted e && e.contract.equals(contract) && e.txHash.equals(txHash) && e.index == index
                    && e.isPublic == isPublic && java.util.Arrays.equals(e.data, data);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(contract, txHash, index, isPublic) * 31 + java.util.Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "ContractEmitted[" + contract + ", " + txHash + ", #" + index + ", " + (isPublic ? "public" : "sealed") + ", "
                    + data.length + " bytes]";
        }
    }

    /** The transfers a call asked for were not made (e.g. the contract's balance is too low); the call's state stands. */
    record ContractTransfersRefused(ContractId contract, Hash txHash, String message) implements Event {}

    /** A storage provider registered (or updated its capacity and endpoint). */
    record ProviderRegistered(WorkerId provider, AccountId operator, long capacity) implements Event {}

    /** A storage order: {@code escrow} units held for price × replicas × slots. */
    record OrderPlaced(Hash file, AccountId owner, long size, int replicas, long endSlot, long escrow) implements Event {}

    /** {@code provider} must now keep a replica of {@code file}. */
    record ReplicaAssigned(Hash file, WorkerId provider) implements Event {}

    /** A replica no longer counts: the provider missed its work report, or its report no longer holds the file. */
    record ReplicaLost(Hash file, WorkerId provider, String reason) implements Event {}

    /** A work report was accepted: the provider holds {@code files} files of {@code totalSize} bytes in all. */
    record WorkReportAccepted(WorkerId provider, long slot, int files, long totalSize) implements Event {}

    /** Slot {@code slot} was settled: {@code verified} replicas were verified and {@code paid} units paid for them. */
    record StorageSlotClosed(long slot, int verified, long paid) implements Event {}

    record OrderRenewed(Hash file, long endSlot, long paid) implements Event {}

    /** An order ended ({@code reason}: cancelled or expired); {@code refund} unearned units went back to its owner. */
    record OrderEnded(Hash file, String reason, long refund) implements Event {}

    /** W3A: dataset number {@code dataset} was registered by {@code owner} under {@code name}. */
    record DatasetRegistered(long dataset, cloister.crypto.AccountId owner, String name) implements Event {}

    /** W3A: grant number {@code grant} was added to {@code dataset}. */
    record GrantAdded(long dataset, int grant) implements Event {}

    /** W3A: the owner deleted {@code dataset}; {@code ordersCancelled} storage orders were cancelled. */
    record DatasetDeleted(long dataset, int ordersCancelled) implements Event {}

    /** W3A: job {@code job} was submitted by {@code buyer} over {@code datasets} datasets, {@code consented} of them consented already. */
    record JobSubmitted(long job, cloister.crypto.AccountId buyer, int datasets, int consented) implements Event {}

    /** W3A: job {@code job} started on {@code worker} with {@code datasets} consenting datasets. */
    record JobStarted(long job, WorkerId worker, int datasets) implements Event {}

    /** W3A: job {@code job} ended in {@code state} (done, failed, cancelled) — {@code reason} in plain words; {@code paid} to owners and worker, {@code refund} to the buyer. */
    record JobEnded(long job, String state, String reason, long paid, long refund) implements Event {}

    /** Computation: {@code worker} reported its benchmark: {@code iterationsPerSecond}, giving performance score {@code score}. */
    record WorkerBenchmarked(WorkerId worker, long iterationsPerSecond, int score) implements Event {}

    /** Computation: {@code worker} started computing for {@code pool} with {@code stake} units; its initial V is {@code v}. */
    record ComputingStarted(WorkerId worker, long pool, long stake, long v) implements Event {}

    /** Computation: {@code worker} must answer with a heartbeat by block {@code deadline}. */
    record HeartbeatChallenged(WorkerId worker, long deadline) implements Event {}

    /** Computation: a heartbeat paid {@code worker}'s accrued reward: {@code toPool} to its pool, {@code toTreasury} to the treasury; V is now {@code v}. */
    record MiningReward(WorkerId worker, long pool, long toPool, long toTreasury, long v) implements Event {}

    /** Computation: {@code worker} missed its heartbeat window; V is {@code v} and now falls each block until it answers. */
    record WorkerUnresponsive(WorkerId worker, long v) implements Event {}

    /** Computation: an unresponsive {@code worker} answered again and is computing; V is {@code v}. */
    record WorkerRecovered(WorkerId worker, long v) implements Event {}

    /** Computation: {@code worker} stopped computing ({@code forced}: by its pool's overdue withdrawals); stake frees at {@code coolingUntil}. */
    record ComputingStopped(WorkerId worker, long coolingUntil, boolean forced) implements Event {}

    /** Computation: {@code worker}'s stake went back to {@code pool}: {@code returned} units, {@code slashed} to the treasury. */
    record StakeReclaimed(WorkerId worker, long pool, long returned, long slashed) implements Event {}

    /** Stake pools: pool {@code pool} was created by {@code owner} with {@code commission} millionths. */
    record PoolCreated(long pool, AccountId owner, int commission) implements Event {}

    record PoolWorkerAdded(long pool, WorkerId worker) implements Event {}

    /** Stake pools: {@code who} delegated {@code amount} units for {@code shares} shares. */
    record Delegated(long pool, AccountId who, long amount, long shares) implements Event {}

    /** Stake pools: {@code who}'s withdrawal of {@code shares} shares waits for free stake. */
    record WithdrawalQueued(long pool, AccountId who, long shares) implements Event {}

    /** Stake pools: {@code who} received {@code amount} units for {@code shares} shares. */
    record Withdrawn(long pool, AccountId who, long shares, long amount) implements Event {}

    /** Stake pools: {@code pool} received {@code reward} units (mining or storage), of which {@code commission} went to its owner. */
    record PoolRewarded(long pool, long reward, long commission) implements Event {}

    /** Storage mining: provider {@code worker} earned a slot's storage reward for its verified replicas. */
    record StorageReward(WorkerId worker, long pool, long toPool, long toTreasury, long verifiedBytes) implements Event {}
}
