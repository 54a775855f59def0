package cloister.acceptance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.common.Hash;
import cloister.common.Tokens;
import cloister.crypto.AccountId;
import cloister.crypto.DevKeys;
import cloister.crypto.SigningKey;
import cloister.proto.BalancesCall;
import cloister.proto.Transaction;
import cloister.sdk.BlockInfo;
import cloister.sdk.CloisterApiException;
import cloister.sdk.CloisterClient;
import cloister.sdk.EventInfo;
import cloister.sdk.TxStatusInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a running devnet while transfers flow, then a restart on the same directory: every transaction whose
 * inclusion was reported before the kill is still there at the same place, and balances agree with the events of
 * every block.
 */
class KillRestartIT {
    @TempDir
    Path tmp;

    private record Reported(Hash tx, long height, Hash block) {}

    @Test
    void killDuringTransfersThenRestartIsConsistent() throws Exception {
        Path data = tmp.resolve("data");
        Path log = tmp.resolve("devnet.log");
        int port = Devnet.freePort();
        List<SigningKey> senders = List.of(DevKeys.get("alice"), DevKeys.get("bob"), DevKeys.get("charlie"), DevKeys.get("dave"));
        AccountId sink = DevKeys.get("eve").account();
        List<Reported> reported = new ArrayList<>();
        int submitted;
        // No workers: their operators (dave…) and the sudo set-up (alice) would race this test's own nonces.
        try (Devnet devnet = Devnet.start(data, port, log, "--block-time", "100", "--gatekeepers", "0", "--workers", "0", "--providers", "0")) {
            CloisterClient client = devnet.client();
            Hash genesis = client.genesisHash();
            long fee = client.chainInfo().minimumFee();
            ConcurrentLinkedQueue<Hash> inFlight = new ConcurrentLinkedQueue<>();
            Map<Hash, Reported> seen = new ConcurrentHashMap<>();
            AtomicBoolean flowing = new AtomicBoolean(true);
            int[] count = {0};
            Thread producer = new Thread(() -> {
                long[] nonces = new long[senders.size()];
                int i = 0;
                while (flowing.get()) {
                    int s = i % senders.size();
                    Transaction t = Transaction.sign(genesis, senders.get(s), nonces[s], fee,
                            new BalancesCall.Transfer(sink, Tokens.of(1) + i));
                    try {
                        client.submit(t);
                        nonces[s]++;
                        inFlight.add(t.hash());
                        count[0]++;
                    } catch (CloisterApiException e) {
                        return; // the node died under us: that is the point of this test
                    }
                    i++;
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "transfers");
            producer.start();
            // Watch inclusions until enough are reported, then kill while the producer is still submitting.
            long until = System.nanoTime() + Duration.ofSeconds(4).toNanos();
            while (System.nanoTime() < until || seen.size() < 40) {
                for (Hash h : inFlight) {
                    TxStatusInfo st = client.txStatus(h);
                    if (st.included()) {
                        seen.put(h, new Reported(h, st.height(), st.blockHash()));
                        inFlight.remove(h);
                    }
                }
                Thread.sleep(20);
                if (System.nanoTime() > until + Duration.ofSeconds(60).toNanos()) {
                    throw new AssertionError("too few inclusions reported: " + seen.size() + "\n" + devnet.logText());
                }
            }
            reported.addAll(seen.values());
            devnet.kill9();
            flowing.set(false);
            producer.join(10_000);
            submitted = count[0];
        }
        assertTrue(reported.size() >= 40, "reported inclusions: " + reported.size());
        assertTrue(submitted > reported.size(), "the kill happened while transfers were still flowing");

        // No workers: their operators (dave…) and the sudo set-up (alice) would race this test's own nonces.
        try (Devnet devnet = Devnet.start(data, port, log, "--block-time", "100", "--gatekeepers", "0", "--workers", "0", "--providers", "0")) {
            CloisterClient client = devnet.client();
            long maxReported = reported.stream().mapToLong(Reported::height).max().orElseThrow();
            assertTrue(client.head().height() >= maxReported, "head went back below a reported inclusion");
            for (Reported r : reported) {
                TxStatusInfo st = client.txStatus(r.tx());
                assertTrue(st.included(), "reported transaction " + r.tx() + " is gone after the restart");
                assertEquals(r.height(), st.height());
                assertEquals(r.block(), st.blockHash());
                assertEquals(r.block(), client.block(r.height()).header().hash());
            }
            // Balances equal genesis plus every block's Transfer and FeePaid events.
            Map<String, Long> expected = new HashMap<>();
            for (String name : DevKeys.NAMES) {
                expected.put(DevKeys.get(name).account().address(), Tokens.of(1_000_000));
            }
            long head = client.head().height();
            for (long h = 1; h <= head; h++) {
                for (EventInfo e : client.events(h)) {
                    switch (e.type()) {
                        case "Transfer" -> {
                            long amount = Long.parseLong(e.fields().get("amount"));
                            expected.merge(e.fields().get("from"), -amount, Long::sum);
                            expected.merge(e.fields().get("to"), amount, Long::sum);
                        }
                        case "FeePaid" -> expected.merge(e.fields().get("who"), -Long.parseLong(e.fields().get("amount")), Long::sum);
                        default -> { }
                    }
                }
            }
            BlockInfo headBlock = client.block(head);
            assertEquals(head, headBlock.height());
            for (String name : DevKeys.NAMES) {
                AccountId id = DevKeys.get(name).account();
                assertEquals(expected.get(id.address()), client.account(id).balance(), name + "'s balance after restart");
            }
            // And the chain goes on.
            SigningKey ferdie = DevKeys.get("ferdie");
            Hash t = client.transfer(ferdie, sink, Tokens.of(2), client.chainInfo().minimumFee());
            assertTrue(client.waitForInclusion(t, Duration.ofSeconds(30)).included());
        }
    }
}
