package cloister.proto;

import cloister.common.Reason;

/** Why an included transaction's call failed (reported in {@link Event.TxFailed}; the fee is still charged). */
public enum DispatchError implements Reason {
    INSUFFICIENT_BALANCE,
    /** The sender may not make this call (e.g. sudo by a non-sudo account). */
    BAD_ORIGIN,
    INVALID_AMOUNT,
    OVERFLOW,
    /** The attestation was refused (the message names the quote verifier's reason, e.g. UNTRUSTED_ROOT). */
    ATTESTATION_REFUSED,
    /** The quote's measurement is not on the allowlist. */
    MEASUREMENT_NOT_ALLOWED,
    /** The quote does not bind this worker info (report data ≠ SHA-256 of the info). */
    REPORT_DATA_MISMATCH,
    /** The worker info names another network. */
    WRONG_GENESIS,
    /** The platform's confidence level is worse than the attestation policy accepts. */
    CONFIDENCE_TOO_LOW,
    /** This worker identity is already registered (a replayed registration). */
    ALREADY_REGISTERED,
    /** No registered worker, cluster or contract by that id. */
    UNKNOWN_WORKER,
    UNKNOWN_CLUSTER,
    UNKNOWN_CONTRACT,
    /** A worker message with a reused or skipped sequence number. */
    BAD_SEQUENCE,
    /** A worker message whose signature does not verify under the worker's identity key. */
    BAD_WORKER_SIGNATURE,
    /** A key message from a worker that is not a gatekeeper, or that contradicts the recorded keys. */
    NOT_GATEKEEPER,
    KEY_CONFLICT,
    /** Something already exists (gatekeeper, cluster member, contract). */
    DUPLICATE,
    INVALID_ARGUMENT,
    /** Uploaded code is not valid WebAssembly, is too large, or imports a host function the ABI lacks. */
    INVALID_CODE,
    UNKNOWN_CODE,
    /** Only the contract's owner may upgrade it. */
    NOT_OWNER,
    /** The gas price is below the chain's minimum gas price. */
    GAS_PRICE_TOO_LOW,
    /** The worker is not a registered storage provider. */
    UNKNOWN_PROVIDER,
    /** No storage order for that file. */
    UNKNOWN_ORDER,
    /** A work report whose arithmetic or files root does not add up. */
    BAD_WORK_REPORT,
    /** A work report for another slot than the current one, or with the wrong slot anchor. */
    OUT_OF_SLOT,
    /** No dataset by that number. */
    UNKNOWN_DATASET,
    /** No job by that number. */
    UNKNOWN_JOB,
    /** The dataset was deleted by its owner. */
    DATASET_DELETED,
    /** The dataset is not listed on the market. */
    NOT_LISTED,
    /** The purpose is not on the published list, or the dataset's listing does not accept it. */
    PURPOSE_NOT_ACCEPTED,
    /** The dataset's ε budget cannot cover the job's ε (or the job asks more than the per-job cap). */
    BUDGET_EXHAUSTED,
    /** The job's budget does not cover the owners' prices and the worker's fee. */
    INSUFFICIENT_PAYMENT,
    /** The job is not in a state that allows this (e.g. deciding on a job that already started). */
    WRONG_JOB_STATE,
    /** Computation: the stake is below the worker's minimum stake k·√P, or the pool's free stake cannot cover it. */
    STAKE_TOO_LOW,
    /** Computation: the worker is not in a state that allows this (e.g. starting a worker that is computing, or without a benchmark). */
    WRONG_WORKER_STATE,
    /** Computation: a heartbeat for a challenge that is not outstanding (already answered, never issued, or past its window). */
    STALE_CHALLENGE,
    /** Computation: the worker's stake cannot be reclaimed before its cooldown ends. */
    COOLDOWN_NOT_OVER,
    /** Stake pools: no pool by that number, or the worker is in no pool. */
    UNKNOWN_POOL,
    /** Stake pools: withdrawing more shares than the sender holds (less those already queued). */
    INSUFFICIENT_SHARES
}
