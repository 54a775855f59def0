package cloister.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.common.Tokens;
import cloister.crypto.DevKeys;
import cloister.proto.BalancesCall;
import cloister.proto.BlockHeader;
import cloister.proto.Transaction;
import java.nio.file.Path;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The assembled node with its dev sealing thread. */
class ChainNodeTest {
    @TempDir
    Path dir;

    private static void await(java.util.function.BooleanSupplier condition, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + millis + " ms");
            }
            Thread.sleep(10);
        }
    }

    @Test
    void intervalSealingProducesBlocksEvenWhenIdle() throws Exception {
        try (ChainNode node = ChainNode.start(ChainConfig.dev(dir).withBlockTime(50))) {
            CopyOnWriteArrayList<BlockHeader> heads = new CopyOnWriteArrayList<>();
            AutoCloseable subscription = node.view().onNewHead(heads::add);
            try {
                await(() -> heads.size() >= 3, 5000);
            } finally {
                subscription.close();
            }
            for (int i = 1; i < heads.size(); i++) {
                assertEquals(heads.get(i - 1).height() + 1, heads.get(i).height());
                assertEquals(heads.get(i - 1).hash(), heads.get(i).parentHash());
                assertTrue(heads.get(i).timestamp() >= heads.get(i - 1).timestamp());
            }
        }
    }

    @Test
    void instantSealingIncludesATransactionAtOnceAndRestartResumes() throws Exception {
        ChainConfig config = ChainConfig.dev(dir).withBlockTime(60_000).withInstantSeal(true);
        long height;
        try (ChainNode node = ChainNode.start(config)) {
            Transaction t = Transaction.sign(node.view().info().genesisHash(), DevKeys.get("alice"), 0, node.view().info().minimumFee(),
                    new BalancesCall.Transfer(DevKeys.get("bob").account(), Tokens.of(3)));
            assertInstanceOf(SubmitResult.Accepted.class, node.submitter().submit(t.encode()));
            await(() -> node.view().txStatus(t.hash()) instanceof TxStatus.Included, 5000);
            height = node.view().head().height();
            assertEquals(Tokens.of(1_000_003), node.view().account(DevKeys.get("bob").account()).balance());
        }
        try (ChainNode node = ChainNode.start(config)) {
            assertEquals(height, node.view().head().height());
            assertEquals(Tokens.of(1_000_003), node.view().account(DevKeys.get("bob").account()).balance());
        }
    }

    /**
     * Submissions racing instant sealing, all from one account: each thread signs with the account's next nonce and
     * signs again when the nonce was taken. Every transaction the pool accepts is included — none is left behind with
     * a nonce a block used between the account's read and the pool's check.
     */
    @Test
    void everyAcceptedTransactionIsIncludedWhileBlocksAreSealedConcurrently() throws Exception {
        ChainConfig config = ChainConfig.dev(dir).withBlockTime(60_000).withInstantSeal(true);
        try (ChainNode node = ChainNode.start(config)) {
            var genesis = node.view().info().genesisHash();
            long fee = node.view().info().minimumFee();
            var alice = DevKeys.get("alice");
            CopyOnWriteArrayList<Transaction> accepted = new CopyOnWriteArrayList<>();
            CopyOnWriteArrayList<String> refusals = new CopyOnWriteArrayList<>();
            java.util.List<Thread> threads = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                long amount = t + 1;
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 50; i++) {
                        while (true) {
                            Transaction tx = Transaction.sign(genesis, alice, node.view().nextNonce(alice.account()), fee,
                                    new BalancesCall.Transfer(DevKeys.get("bob").account(), amount));
                            SubmitResult r = node.submitter().submit(tx.encode());
                            if (r instanceof SubmitResult.Accepted) {
                                accepted.add(tx);
                                break;
                            }
                            var reason = ((SubmitResult.Rejected) r).reason();
                            if (reason != cloister.proto.TxRejection.NONCE_TAKEN && reason != cloister.proto.TxRejection.STALE_NONCE) {
                                refusals.add(r.toString());
                                return;
                            }
                        }
                    }
                }));
            }
            for (Thread t : threads) {
                t.join(60_000);
            }
            assertEquals(java.util.List.of(), refusals, "only nonce clashes are refused");
            assertEquals(200, accepted.size());
            await(() -> accepted.stream().allMatch(tx -> node.view().txStatus(tx.hash()) instanceof TxStatus.Included), 10_000);
        }
    }
}
