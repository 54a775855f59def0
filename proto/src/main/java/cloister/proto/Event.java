package cloister.proto;

import cloister.common.Hash;
import cloister.crypto.AccountId;

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
}
