package cloister.proto;

import cloister.crypto.AccountId;

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
}
