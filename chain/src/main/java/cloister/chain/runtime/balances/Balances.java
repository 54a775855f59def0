package cloister.chain.runtime.balances;

import cloister.chain.AccountState;
import cloister.chain.runtime.BlockState;
import cloister.chain.runtime.DispatchOutcome;
import cloister.chain.store.StateReader;
import cloister.common.Tokens;
import cloister.crypto.AccountId;
import cloister.proto.BalancesCall;
import cloister.proto.CanonicalReader;
import cloister.proto.CanonicalWriter;
import cloister.proto.DispatchError;
import cloister.proto.Event;

/**
 * The {@code balances} runtime module (module byte 0x01): accounts (free balance and nonce), transfers, fees,
 * and the total issuance, which always equals the sum of all balances.
 *
 * <p>State keys: {@code 01 01 ‖ account} → balance u64 ‖ nonce u64 (absent = zero balance, nonce 0);
 * {@code 01 02} → total issuance u64.
 */
public final class Balances {
    private static final byte[] TOTAL_ISSUANCE = {0x01, 0x02};

    private Balances() {}

    public static byte[] accountKey(AccountId id) {
        byte[] key = new byte[2 + AccountId.LENGTH];
        key[0] = 0x01;
        key[1] = 0x01;
        id.copyTo(key, 2);
        return key;
    }

    public static AccountState account(StateReader s, AccountId id) {
        byte[] v = s.get(accountKey(id));
        if (v == null) {
            return AccountState.EMPTY;
        }
        CanonicalReader r = new CanonicalReader(v);
        AccountState a = new AccountState(r.u64("balance"), r.u64("nonce"));
        r.end("account");
        return a;
    }

    public static void setAccount(BlockState s, AccountId id, AccountState a) {
        if (a.equals(AccountState.EMPTY)) {
            s.delete(accountKey(id));
        } else {
            s.put(accountKey(id), new CanonicalWriter(16).u64(a.balance()).u64(a.nonce()).toByteArray());
        }
    }

    public static long totalIssuance(StateReader s) {
        byte[] v = s.get(TOTAL_ISSUANCE);
        return v == null ? 0 : new CanonicalReader(v).u64("total issuance");
    }

    static void setTotalIssuance(BlockState s, long value) {
        s.put(TOTAL_ISSUANCE, new CanonicalWriter(8).u64(value).toByteArray());
    }

    /** Moves a fee from {@code payer} (who must cover it: checked by the caller) to {@code treasury}. */
    public static void chargeFee(BlockState s, AccountId payer, AccountId treasury, long fee) {
        AccountState p = account(s, payer);
        setAccount(s, payer, new AccountState(p.balance() - fee, p.nonce()));
        AccountState t = account(s, treasury);
        setAccount(s, treasury, new AccountState(Math.addExact(t.balance(), fee), t.nonce()));
        s.emit(new Event.FeePaid(payer, fee));
    }

    public static void incrementNonce(BlockState s, AccountId who) {
        AccountState a = account(s, who);
        setAccount(s, who, new AccountState(a.balance(), a.nonce() + 1));
    }

    public static DispatchOutcome dispatch(BlockState s, AccountId sender, BalancesCall call) {
        return switch (call) {
            case BalancesCall.Transfer t -> transfer(s, sender, t.to(), t.amount());
        };
    }

    /** Moves funds between accounts for another runtime module (gas reservations); same checks and event as a transfer. */
    public static DispatchOutcome move(BlockState s, AccountId from, AccountId to, long amount) {
        return transfer(s, from, to, amount);
    }

    static DispatchOutcome transfer(BlockState s, AccountId from, AccountId to, long amount) {
        if (amount <= 0) {
            return DispatchOutcome.fail(DispatchError.INVALID_AMOUNT, "transfer amount must be positive");
        }
        AccountState a = account(s, from);
        if (a.balance() < amount) {
            return DispatchOutcome.fail(DispatchError.INSUFFICIENT_BALANCE,
                    "balance " + Tokens.display(a.balance()) + " is less than the amount " + Tokens.display(amount));
        }
        if (!from.equals(to)) {
            AccountState b = account(s, to);
            if (b.balance() > Long.MAX_VALUE - amount) {
                return DispatchOutcome.fail(DispatchError.OVERFLOW, "recipient balance would overflow");
            }
            setAccount(s, from, new AccountState(a.balance() - amount, a.nonce()));
            setAccount(s, to, new AccountState(b.balance() + amount, b.nonce()));
        }
        s.emit(new Event.Transfer(from, to, amount));
        return DispatchOutcome.OK;
    }

    /**
     * Issues {@code amount} new units to {@code to} (mining and storage rewards): the total issuance grows by the same
     * amount, so the sum of all balances always equals it. Emits a transfer from {@link #ISSUANCE}.
     */
    public static void mint(BlockState s, AccountId to, long amount) {
        if (amount < 0) {
            throw new IllegalArgumentException("cannot mint a negative amount");
        }
        if (amount == 0) {
            return;
        }
        AccountState a = account(s, to);
        setAccount(s, to, new AccountState(Math.addExact(a.balance(), amount), a.nonce()));
        setTotalIssuance(s, Math.addExact(totalIssuance(s), amount));
        s.emit(new Event.Transfer(ISSUANCE, to, amount));
    }

    /** The "from" of minted units in transfer events: not an account (no state, no key); the all-zero id. */
    public static final AccountId ISSUANCE = AccountId.of(new byte[AccountId.LENGTH]);

    /** Governance: sets a balance and adjusts the total issuance by the difference. */
    public static DispatchOutcome forceSetBalance(BlockState s, AccountId who, long amount) {
        AccountState a = account(s, who);
        long issuance = totalIssuance(s);
        long newIssuance;
        try {
            newIssuance = Math.addExact(issuance - a.balance(), amount);
        } catch (ArithmeticException e) {
            return DispatchOutcome.fail(DispatchError.OVERFLOW, "total issuance would overflow");
        }
        setAccount(s, who, new AccountState(amount, a.nonce()));
        setTotalIssuance(s, newIssuance);
        s.emit(new Event.BalanceSet(who, amount));
        return DispatchOutcome.OK;
    }
}
