package cloister.sdk;

import cloister.crypto.AccountId;

/**
 * An account as of the head block.
 *
 * @param balance   free balance in units
 * @param nonce     count of the account's included transactions
 * @param nextNonce the nonce for a new transaction, counting the account's pooled ones
 */
public record AccountInfo(AccountId account, long balance, long nonce, long nextNonce) {}
