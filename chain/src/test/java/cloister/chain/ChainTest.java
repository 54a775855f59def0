package cloister.chain;

import static cloister.chain.ChainFixture.ALICE;
import static cloister.chain.ChainFixture.BOB;
import static cloister.chain.ChainFixture.CHARLIE;
import static cloister.chain.ChainFixture.FEE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.chain.runtime.balances.Balances;
import cloister.chain.runtime.system.SystemParams;
import cloister.common.Hash;
import cloister.common.Tokens;
import cloister.crypto.AccountId;
import cloister.crypto.DevKeys;
import cloister.crypto.SigningKey;
import cloister.proto.Block;
import cloister.proto.BlockHeader;
import cloister.proto.DispatchError;
import cloister.proto.Event;
import cloister.proto.EventRecord;
import cloister.proto.GovernanceCall;
import cloister.proto.Signature;
import cloister.proto.SudoCall;
import cloister.proto.Transaction;
import cloister.proto.TxRejection;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChainTest {
    @TempDir
    Path dir;

    @Test
    void devGenesisFundsTheDevAccounts() {
        try (ChainFixture f = new ChainFixture(dir.resolve("a"))) {
            for (String name : DevKeys.NAMES) {
                assertEquals(Tokens.of(1_000_000), f.chain.account(DevKeys.get(name).account()).balance(), name);
            }
            ChainInfo info = f.chain.info();
            assertEquals("cloister-dev", info.chainName());
            assertEquals(ALICE.account(), info.sudo());
            assertEquals(List.of(ALICE.account()), info.authorities());
            assertEquals(0, f.chain.head().height());
            assertEquals(Tokens.of(6_000_000), Balances.totalIssuance(f.store.state()));
            // Same dev genesis everywhere: a second directory gets the same genesis hash.
            try (ChainFixture g = new ChainFixture(dir.resolve("b"))) {
                assertEquals(info.genesisHash(), g.chain.info().genesisHash());
            }
        }
    }

    @Test
    void transferMovesBalanceChargesFeeAndRecordsEvents() {
        try (ChainFixture f = new ChainFixture(dir)) {
            long alice0 = f.balance(ALICE);
            long bob0 = f.balance(BOB);
            Transaction t = f.transfer(ALICE, 0, BOB.account(), Tokens.of(10));
            assertInstanceOf(SubmitResult.Accepted.class, f.submit(t));
            assertEquals(new TxStatus.Pending(true), f.chain.txStatus(t.hash()));
            assertEquals(1, f.chain.nextNonce(ALICE.account()));
            Block b = f.seal();
            assertEquals(1, b.height());
            assertEquals(alice0 - Tokens.of(10) - FEE, f.balance(ALICE));
            assertEquals(bob0 + Tokens.of(10), f.balance(BOB));
            assertEquals(FEE, f.chain.account(SystemParams.TREASURY).balance());
            assertEquals(1, f.chain.account(ALICE.account()).nonce());
            List<EventRecord> events = f.chain.events(1).orElseThrow();
            assertEquals(List.of(new EventRecord(0, new Event.FeePaid(ALICE.account(), FEE)),
                    new EventRecord(0, new Event.Transfer(ALICE.account(), BOB.account(), Tokens.of(10)))), events);
            TxStatus.Included inc = assertInstanceOf(TxStatus.Included.class, f.chain.txStatus(t.hash()));
            assertEquals(1, inc.height());
            assertEquals(0, inc.index());
            assertTrue(inc.success());
            assertEquals(b.hash(), inc.blockHash());
            assertEquals(b.header(), f.chain.block(b.hash()).orElseThrow().header());
        }
    }

    @Test
    void failedCallChargesFeeRollsBackAndReportsReason() {
        try (ChainFixture f = new ChainFixture(dir)) {
            long bob0 = f.balance(BOB);
            Transaction notSudo = f.tx(BOB, 0, new SudoCall.Sudo(new GovernanceCall.SetBalance(BOB.account(), Tokens.of(5_000_000))));
            f.submit(notSudo);
            f.seal();
            assertEquals(bob0 - FEE, f.balance(BOB));
            assertEquals(1, f.chain.account(BOB.account()).nonce());
            TxStatus.Included inc = assertInstanceOf(TxStatus.Included.class, f.chain.txStatus(notSudo.hash()));
            assertFalse(inc.success());
            assertEquals(DispatchError.BAD_ORIGIN.code(), inc.failureReason());
        }
    }

    @Test
    void sudoSetsBalanceAndIssuanceFollows() {
        try (ChainFixture f = new ChainFixture(dir)) {
            AccountId fresh = SigningKey.generate().account();
            f.submit(f.tx(ALICE, 0, new SudoCall.Sudo(new GovernanceCall.SetBalance(fresh, Tokens.of(42)))));
            f.submit(f.tx(ALICE, 1, new SudoCall.Sudo(new GovernanceCall.SetMinimumFee(FEE * 2))));
            f.seal();
            assertEquals(Tokens.of(42), f.chain.account(fresh).balance());
            assertEquals(Tokens.of(6_000_042), Balances.totalIssuance(f.store.state()));
            assertEquals(FEE * 2, f.chain.info().minimumFee());
            assertTrue(f.chain.events(1).orElseThrow().stream().anyMatch(e -> e.event() instanceof Event.SudoExecuted));
        }
    }

    @Test
    void poolOrdersByNonceWithinSenderAndFeeAcrossSenders() {
        try (ChainFixture f = new ChainFixture(dir)) {
            Transaction a1 = f.transfer(ALICE, 1, BOB.account(), 1);
            Transaction a0 = f.transfer(ALICE, 0, BOB.account(), 1);
            Transaction rich = Transaction.sign(f.chain.info().genesisHash(), CHARLIE, 0, FEE * 5,
                    new cloister.proto.BalancesCall.Transfer(BOB.account(), 1));
            f.submit(a1);
            assertEquals(new TxStatus.Pending(false), f.chain.txStatus(a1.hash()), "nonce 1 waits for nonce 0");
            f.submit(a0);
            f.submit(rich);
            Block b = f.seal();
            assertEquals(List.of(rich, a0, a1), b.transactions());
        }
    }

    /** A batch verified in parallel is submitted in its order, with the same verdicts as one by one. */
    @Test
    void submitAllKeepsTheOrderAndTheVerdictsOfSubmittingOneByOne() {
        try (ChainFixture a = new ChainFixture(dir.resolve("a")); ChainFixture b = new ChainFixture(dir.resolve("b"))) {
            List<byte[]> batch = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                batch.add(a.transfer(BOB, i, CHARLIE.account(), Tokens.UNITS_PER_TOKEN + i).encode());
            }
            Transaction forged = a.transfer(ALICE, 0, BOB.account(), 5).withSignature(a.transfer(CHARLIE, 0, BOB.account(), 5).signature());
            batch.add(5, forged.encode());
            batch.add(new byte[] {1, 2, 3});
            batch.add(batch.get(0));
            List<SubmitResult> all = a.chain.submitAll(batch);
            List<SubmitResult> oneByOne = new ArrayList<>();
            for (byte[] tx : batch) {
                oneByOne.add(b.chain.submit(tx));
            }
            assertEquals(oneByOne, all);
            assertEquals(TxRejection.BAD_SIGNATURE, ((SubmitResult.Rejected) all.get(5)).reason());
            assertEquals(TxRejection.MALFORMED, ((SubmitResult.Rejected) all.get(13)).reason());
            assertEquals(TxRejection.ALREADY_KNOWN, ((SubmitResult.Rejected) all.get(14)).reason());
            Block sealed = a.seal();
            assertEquals(12, sealed.transactions().size());
            assertEquals(sealed.hash(), b.seal().hash(), "the same block from the same pool");
        }
    }

    /** Property: another node importing the same blocks reaches byte-identical heads and state roots. */
    @Test
    void blockApplicationIsDeterministicAcrossNodes() {
        try (ChainFixture a = new ChainFixture(dir.resolve("a")); ChainFixture b = new ChainFixture(dir.resolve("b"))) {
            Random random = new Random(20261121);
            List<SigningKey> keys = DevKeys.NAMES.stream().map(DevKeys::get).toList();
            long[] nonces = new long[keys.size()];
            for (int block = 0; block < 12; block++) {
                int n = random.nextInt(40);
                for (int i = 0; i < n; i++) {
                    int from = random.nextInt(keys.size());
                    int to = random.nextInt(keys.size());
                    long amount = 1 + random.nextInt(1_000_000) * 1000L;
                    SubmitResult r = a.submit(a.transfer(keys.get(from), nonces[from], keys.get(to).account(), amount));
                    if (r instanceof SubmitResult.Accepted) {
                        nonces[from]++;
                    }
                }
                Block sealed = a.seal();
                assertEquals(new ImportResult.Imported(sealed.header()), b.chain.importBlock(Block.decode(sealed.encode())));
                assertEquals(a.chain.head(), b.chain.head());
                assertEquals(a.store.stateRoot(), b.store.stateRoot());
            }
            long sum = 0;
            for (SigningKey k : keys) {
                sum += a.balance(k);
            }
            sum += a.chain.account(SystemParams.TREASURY).balance();
            assertEquals(Balances.totalIssuance(a.store.state()), sum, "balances always sum to the total issuance");
        }
    }

    @Test
    void importRefusesTamperedBlocks() {
        try (ChainFixture a = new ChainFixture(dir.resolve("a")); ChainFixture b = new ChainFixture(dir.resolve("b"))) {
            a.submit(a.transfer(ALICE, 0, BOB.account(), Tokens.of(1)));
            Block good = a.chain.propose(a.clock + 1000, ALICE);
            BlockHeader h = good.header();

            Block byBob = new Block(unsealed(h).sealedBy(BOB), good.transactions());
            assertRejected(BlockRejection.NOT_AUTHORITY, b.chain.importBlock(byBob));

            byte[] sig = h.signature().bytes();
            sig[0] ^= 1;
            assertRejected(BlockRejection.BAD_SEAL, b.chain.importBlock(new Block(withSignature(h, Signature.of(sig)), good.transactions())));

            BlockHeader badRoot = new BlockHeader(h.height(), h.parentHash(), h.timestamp(), h.transactionsRoot(), Hash.wrap(new byte[32]),
                    h.workerMessagesRoot(), h.proposer(), Signature.EMPTY).sealedBy(ALICE);
            assertRejected(BlockRejection.BAD_STATE_ROOT, b.chain.importBlock(new Block(badRoot, good.transactions())));

            assertRejected(BlockRejection.BAD_TRANSACTIONS_ROOT, b.chain.importBlock(new Block(h, List.of())));

            BlockHeader wrongHeight = new BlockHeader(5, h.parentHash(), h.timestamp(), h.transactionsRoot(), h.stateRoot(),
                    h.workerMessagesRoot(), h.proposer(), Signature.EMPTY).sealedBy(ALICE);
            assertRejected(BlockRejection.WRONG_HEIGHT, b.chain.importBlock(new Block(wrongHeight, good.transactions())));

            Transaction replay = a.transfer(ALICE, 7, BOB.account(), 1);
            BlockHeader badNonce = new BlockHeader(h.height(), h.parentHash(), h.timestamp(), Block.transactionsRoot(List.of(replay)),
                    h.stateRoot(), h.workerMessagesRoot(), h.proposer(), Signature.EMPTY).sealedBy(ALICE);
            assertRejected(BlockRejection.INVALID_TRANSACTION, b.chain.importBlock(new Block(badNonce, List.of(replay))));

            assertEquals(0, b.chain.head().height(), "nothing was imported");
            assertInstanceOf(ImportResult.Imported.class, b.chain.importBlock(good));
        }
    }

    private static BlockHeader unsealed(BlockHeader h) {
        return new BlockHeader(h.height(), h.parentHash(), h.timestamp(), h.transactionsRoot(), h.stateRoot(),
                h.workerMessagesRoot(), h.proposer(), Signature.EMPTY);
    }

    private static BlockHeader withSignature(BlockHeader h, Signature s) {
        return new BlockHeader(h.height(), h.parentHash(), h.timestamp(), h.transactionsRoot(), h.stateRoot(),
                h.workerMessagesRoot(), h.proposer(), s);
    }

    private static void assertRejected(BlockRejection expected, ImportResult r) {
        assertEquals(expected, assertInstanceOf(ImportResult.Rejected.class, r).reason(), r.toString());
    }

    @Test
    void restartResumesAtTheSameHeightAndRoot() {
        BlockHeader head;
        Hash root;
        long bob;
        try (ChainFixture f = new ChainFixture(dir)) {
            for (int i = 0; i < 5; i++) {
                f.submit(f.transfer(ALICE, i, BOB.account(), Tokens.of(1)));
                f.seal();
            }
            head = f.chain.head();
            root = f.store.stateRoot();
            bob = f.balance(BOB);
        }
        try (ChainFixture f = new ChainFixture(dir)) {
            assertEquals(head, f.chain.head());
            assertEquals(root, f.store.stateRoot());
            assertEquals(bob, f.balance(BOB));
            List<Transaction> more = new ArrayList<>();
            more.add(f.transfer(ALICE, 5, BOB.account(), Tokens.of(1)));
            f.submit(more.get(0));
            assertEquals(6, f.seal().height());
        }
    }
}
