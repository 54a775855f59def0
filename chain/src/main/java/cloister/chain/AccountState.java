package cloister.chain;

/**
 * An account as of the head block.
 *
 * @param balance free balance in units
 * @param nonce   the nonce the account's next transaction must carry (count of its included transactions)
 */
public record AccountState(long balance, long nonce) {
    public static final AccountState EMPTY = new AccountState(0, 0);
}
