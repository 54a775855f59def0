package cloister.chain;

import static cloister.chain.ChainFixture.ALICE;
import static cloister.chain.ChainFixture.BOB;
import static cloister.chain.ChainFixture.CHARLIE;
import static cloister.chain.ChainFixture.FEE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.common.Hash;
import cloister.common.Tokens;
import cloister.crypto.SigningKey;
import cloister.proto.BalancesCall;
import cloister.proto.Block;
import cloister.proto.GovernanceCall;
import cloister.proto.Signature;
import cloister.proto.SudoCall;
import cloister.proto.Transaction;
import cloister.proto.TxRejection;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way the pool refuses a transaction, each with its reason word. */
class TransactionPoolValidationTest {
    @TempDir
    Path dir;

    private static TxRejection reason(SubmitResult r) {
        return assertInstanceOf(SubmitResult.Rejected.class, r, "expected a refusal").reason();
    }

    @Test
    void refusesEachKindOfBadTransactionWithItsReason() {
        try (ChainFixture f = new ChainFixture(dir)) {
            Transaction good = f.transfer(ALICE, 0, BOB.account(), Tokens.of(10));

            assertEquals(TxRejection.MALFORMED, reason(f.chain.submit(new byte[] {1, 2, 3})));
            assertEquals(TxRejection.OVERSIZED, reason(f.chain.submit(new byte[Transaction.MAX_BYTES + 1])));
            Transaction otherNetwork = Transaction.sign(Hash.wrap(new byte[32]), ALICE, 0, FEE,
                    new BalancesCall.Transfer(BOB.account(), 10));
            assertEquals(TxRejection.WRONG_GENESIS, reason(f.submit(otherNetwork)));
            byte[] sig = good.signature().bytes();
            sig[5] ^= 1;
            assertEquals(TxRejection.BAD_SIGNATURE, reason(f.submit(good.withSignature(Signature.of(sig)))));
            assertEquals(TxRejection.FUTURE_NONCE, reason(f.submit(f.transfer(ALICE, TransactionPool.MAX_FUTURE_NONCES, BOB.account(), 1))));
            assertEquals(TxRejection.INSUFFICIENT_BALANCE, reason(f.submit(f.transfer(ALICE, 0, BOB.account(), Tokens.of(1_000_001)))));
            assertEquals(TxRejection.FEE_TOO_LOW, reason(f.submit(Transaction.sign(f.chain.info().genesisHash(), ALICE, 0, FEE - 1,
                    new BalancesCall.Transfer(BOB.account(), 1)))));
            assertEquals(TxRejection.INVALID_CALL, reason(f.submit(f.transfer(ALICE, 0, BOB.account(), 0))));

            assertInstanceOf(SubmitResult.Accepted.class, f.submit(good));
            assertEquals(TxRejection.ALREADY_KNOWN, reason(f.submit(good)));
            assertEquals(TxRejection.NONCE_TAKEN, reason(f.submit(f.transfer(ALICE, 0, BOB.account(), Tokens.of(11)))));
            // Pooled spending counts: alice has 1,000,000 CLO and 10 are pooled.
            assertEquals(TxRejection.INSUFFICIENT_BALANCE, reason(f.submit(f.transfer(ALICE, 1, BOB.account(), Tokens.of(999_990)))));

            f.seal();
            assertEquals(TxRejection.ALREADY_KNOWN, reason(f.submit(good)));
            assertEquals(TxRejection.STALE_NONCE, reason(f.submit(f.transfer(ALICE, 0, CHARLIE.account(), 5))));
        }
    }

    @Test
    void poolFullIsReported() {
        try (ChainFixture f = new ChainFixture(dir, 2)) {
            assertInstanceOf(SubmitResult.Accepted.class, f.submit(f.transfer(ALICE, 0, BOB.account(), 1)));
            assertInstanceOf(SubmitResult.Accepted.class, f.submit(f.transfer(BOB, 0, ALICE.account(), 1)));
            assertEquals(TxRejection.POOL_FULL, reason(f.submit(f.transfer(CHARLIE, 0, ALICE.account(), 1))));
        }
    }

    @Test
    void higherFeeReplacesSameNonce() {
        try (ChainFixture f = new ChainFixture(dir)) {
            Transaction low = f.transfer(ALICE, 0, BOB.account(), 5);
            Transaction high = Transaction.sign(f.chain.info().genesisHash(), ALICE, 0, FEE * 2, new BalancesCall.Transfer(CHARLIE.account(), 5));
            assertInstanceOf(SubmitResult.Accepted.class, f.submit(low));
            assertInstanceOf(SubmitResult.Accepted.class, f.submit(high));
            assertInstanceOf(TxStatus.Unknown.class, f.chain.txStatus(low.hash()));
            Block b = f.seal();
            assertEquals(List.of(high), b.transactions());
        }
    }

    /**
     * Property: every single-byte mutation of a signed transfer and of a signed sudo call is refused, each with a
     * reason from the set that bytes alone can cause.
     */
    @Test
    void everySingleByteMutationIsRefused() {
        try (ChainFixture f = new ChainFixture(dir)) {
            List<Transaction> originals = List.of(
                    f.transfer(ALICE, 0, BOB.account(), Tokens.of(10)),
                    f.tx(ALICE, 0, new SudoCall.Sudo(new GovernanceCall.SetBalance(CHARLIE.account(), 7))));
            EnumSet<TxRejection> byteReasons = EnumSet.of(TxRejection.MALFORMED, TxRejection.WRONG_GENESIS,
                    TxRejection.BAD_SIGNATURE, TxRejection.FEE_TOO_LOW, TxRejection.INVALID_CALL);
            Map<TxRejection, Integer> seen = new EnumMap<>(TxRejection.class);
            int checked = 0;
            int[] deltas = {0x01, 0x80, 0xff, 0x10};
            for (Transaction original : originals) {
                byte[] bytes = original.encode();
                for (int pos = 0; pos < bytes.length; pos++) {
                    for (int delta : deltas) {
                        byte[] mutated = bytes.clone();
                        mutated[pos] ^= (byte) delta;
                        SubmitResult r = f.chain.submit(mutated);
                        TxRejection why = reason(r);
                        assertTrue(byteReasons.contains(why), "mutation at " + pos + " refused with unexpected " + why);
                        seen.merge(why, 1, Integer::sum);
                        checked++;
                    }
                }
            }
            int expected = originals.stream().mapToInt(Transaction::encodedLength).sum() * deltas.length;
            assertEquals(expected, checked);
            assertEquals(0, f.chain.pooled(), "no mutated transaction may enter the pool");
            assertTrue(seen.containsKey(TxRejection.MALFORMED) && seen.containsKey(TxRejection.BAD_SIGNATURE)
                    && seen.containsKey(TxRejection.WRONG_GENESIS), "reasons seen: " + seen);
        }
    }

    @Test
    void signerMustMatchSender() {
        try (ChainFixture f = new ChainFixture(dir)) {
            SigningKey mallory = SigningKey.generate();
            Transaction t = f.transfer(mallory, 0, BOB.account(), 1);
            // Mallory has no funds: a valid signature still cannot spend what is not there.
            assertEquals(TxRejection.INSUFFICIENT_BALANCE, reason(f.submit(t)));
        }
    }
}
