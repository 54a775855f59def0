package cloister.sdk;

import cloister.crypto.AccountId;

/**
 * An account's position in a stake pool.
 *
 * @param shares             share units it holds (including those queued for withdrawal)
 * @param queuedShares       of them, waiting in the withdrawal queue
 * @param withdrawableShares what it may still ask to withdraw
 * @param value              what its shares are worth now, in base units
 */
public record DelegationInfo(long pool, AccountId account, long shares, long queuedShares, long withdrawableShares, long value,
                             String sharePrice) {}
