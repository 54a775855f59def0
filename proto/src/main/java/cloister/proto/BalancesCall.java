package cloister.proto;

import cloister.crypto.AccountId;

/** Calls of the {@code balances} runtime module (module tag 0x01). */
public sealed interface BalancesCall extends Call {
    /** Moves {@code amount} units from the sender to {@code to}. Amount must be positive. */
    record Transfer(AccountId to, long amount) implements BalancesCall {
        public Transfer {
            if (amount < 0) {
                throw new IllegalArgumentException("amount must not be negative");
            }
        }

        @Override
        public String name() {
            return "balances.transfer";
        }
    }
}
