package cloister.proto;

import cloister.common.Hash;
import cloister.crypto.AccountId;
import cloister.crypto.SigningKey;
import java.util.List;
import java.util.Random;

/** Seeded random values for codec property tests: a failure names its seed, so it replays exactly. */
final class Arbitrary {
    private final Random random;
    private final List<SigningKey> keys;

    Arbitrary(long seed) {
        random = new Random(seed);
        keys = List.of(key(), key(), key());
    }

    private SigningKey key() {
        byte[] seed = new byte[32];
        random.nextBytes(seed);
        return SigningKey.fromSeed(seed);
    }

    Random random() {
        return random;
    }

    SigningKey signer() {
        return keys.get(random.nextInt(keys.size()));
    }

    Hash hash() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Hash.of(b);
    }

    AccountId account() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return AccountId.of(b);
    }

    /** A non-negative long, often at the edges (0, 1, 2^63-1) where encodings break first. */
    long u64() {
        return switch (random.nextInt(6)) {
            case 0 -> 0L;
            case 1 -> 1L;
            case 2 -> Long.MAX_VALUE;
            case 3 -> random.nextInt(1000);
            default -> random.nextLong() & Long.MAX_VALUE;
        };
    }

    /** A string of random code points (BMP, supplementary, ASCII), valid UTF-16 so it survives UTF-8. */
    String string(int maxCodePoints) {
        int n = random.nextInt(maxCodePoints + 1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int cp = switch (random.nextInt(3)) {
                case 0 -> 0x20 + random.nextInt(0x5f);
                case 1 -> 0x10000 + random.nextInt(0x10000);
                default -> random.nextInt(0xd000);
            };
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    GovernanceCall governanceCall(int variant) {
        return switch (variant) {
            case 0 -> new GovernanceCall.SetBalance(account(), u64());
            case 1 -> new GovernanceCall.SetSudoKey(account());
            case 2 -> new GovernanceCall.SetMinimumFee(u64());
            default -> throw new IllegalArgumentException("no governance variant " + variant);
        };
    }

    static final int GOVERNANCE_VARIANTS = 3;
    /** Transfer, then Sudo with each governance variant. */
    static final int CALL_VARIANTS = 1 + GOVERNANCE_VARIANTS;

    Call call(int variant) {
        return variant == 0 ? new BalancesCall.Transfer(account(), u64()) : new SudoCall.Sudo(governanceCall(variant - 1));
    }

    Call call() {
        return call(random.nextInt(CALL_VARIANTS));
    }

    Transaction transaction(Call call) {
        return Transaction.sign(hash(), signer(), u64(), u64(), call);
    }

    Transaction transaction() {
        return transaction(call());
    }

    BlockHeader unsealedHeader() {
        return new BlockHeader(u64(), hash(), u64(), hash(), hash(), hash(), account(), Signature.EMPTY);
    }

    static final int EVENT_VARIANTS = 7;

    Event event(int variant) {
        return switch (variant) {
            case 0 -> new Event.Transfer(account(), account(), u64());
            case 1 -> new Event.FeePaid(account(), u64());
            case 2 -> new Event.TxFailed(hash(), string(20), string(200));
            case 3 -> new Event.SudoExecuted(string(30));
            case 4 -> new Event.BalanceSet(account(), u64());
            case 5 -> new Event.SudoKeyChanged(account());
            case 6 -> new Event.MinimumFeeChanged(u64());
            default -> throw new IllegalArgumentException("no event variant " + variant);
        };
    }

    int txIndex() {
        return switch (random.nextInt(4)) {
            case 0 -> EventRecord.BLOCK;
            case 1 -> 0;
            case 2 -> Integer.MAX_VALUE - 1;
            default -> random.nextInt(10_000);
        };
    }
}
