package cloister.worker.enclave.contract;

import cloister.common.Hash;

/**
 * All a contract may know about "now": the block that carried the command and the command's transaction. No
 * clock, no randomness — every worker of the cluster sees exactly these values, so they reach the same state.
 */
public record BlockContext(long height, long timestampMillis, Hash txHash) {}
