package cloister.bench;

import cloister.chain.ChainConfig;
import cloister.chain.ChainNode;
import cloister.common.Hash;
import cloister.common.Tokens;
import cloister.crypto.AccountId;
import cloister.crypto.DevKeys;
import cloister.crypto.SigningKey;
import cloister.node.api.ApiServer;
import cloister.proto.BalancesCall;
import cloister.proto.GovernanceCall;
import cloister.proto.SudoCall;
import cloister.proto.Transaction;
import cloister.sdk.CloisterClient;
import cloister.sdk.SubmitOutcome;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * End-to-end transfer throughput: pre-signed transfers are submitted through the SDK ({@code submitAll}, HTTP on
 * loopback) to an in-process node that validates them (signature included), pools them, seals them into blocks
 * (dev sealing every {@code --block-time} ms, 250 by default) and applies them to RocksDB state with a state root. The reference, measured in the same run
 * on the same machine, is the single-core Ed25519 verify rate: every transaction needs at least one verification,
 * so "transactions per CPU-second" over "verifies per CPU-second" says how close the whole pipeline gets to that
 * limit. Process CPU time includes the benchmark's own HTTP client, so the ratio is conservative.
 */
final class TransferThroughput {
    private TransferThroughput() {}

    public static void main(String[] args) throws Exception {
        int transfers = 100_000;
        int senders = 200;
        int batch = 1000;
        int clients = 2;
        int blockTime = 250;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help")) {
                System.out.println("Usage: ./cloister bench transfer [--transfers N (100000)] [--senders N (200)] [--batch N (1000)] [--clients N (2)] [--block-time MS (250)]");
                return;
            }
            if (i + 1 >= args.length) {
                fail("option " + a + " needs a value");
            }
            int v;
            try {
                v = Integer.parseInt(args[++i]);
            } catch (NumberFormatException e) {
                fail("option " + a + " needs a number, got '" + args[i] + "'");
                return;
            }
            if (v < 1) {
                fail("option " + a + " must be positive");
            }
            switch (a) {
                case "--transfers" -> transfers = v;
                case "--senders" -> senders = v;
                case "--batch" -> batch = Math.min(v, 5000);
                case "--clients" -> clients = v;
                case "--block-time" -> blockTime = v;
                default -> fail("unknown option " + a);
            }
        }
        run(transfers, senders, batch, clients, blockTime);
    }

    private static void fail(String message) {
        System.err.println("error: " + message);
        System.err.println("Try './cloister bench transfer --help'");
        System.exit(2);
    }

    private static void run(int transfers, int senderCount, int batch, int clients, int blockTime) throws Exception {
        System.out.printf(Locale.ROOT, "cores available: %d, JVM: %s%n", Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"));
        List<SigningKey> senders = new ArrayList<>();
        for (int i = 0; i < senderCount; i++) {
            senders.add(DevKeys.derive("bench/sender/" + i));
        }

        System.out.println("measuring the reference: single-core Ed25519 verify (BouncyCastle, key decoded per call) ...");
        VerifyRate reference = VerifyRate.measure(senders);

        Path dir = Files.createTempDirectory("cloister-bench-");
        ChainConfig config = new ChainConfig(dir, blockTime, false, Math.max(200_000, transfers + senderCount), 20_000, false);
        try (ChainNode node = ChainNode.start(config);
             ApiServer api = ApiServer.start(node.view(), node.submitter(), "127.0.0.1", 0)) {
            CloisterClient client = new CloisterClient("http://127.0.0.1:" + api.port());
            Hash genesis = client.genesisHash();
            long fee = client.chainInfo().minimumFee();

            System.out.printf(Locale.ROOT, "funding %d senders ...%n", senderCount);
            SigningKey alice = DevKeys.get("alice");
            List<Transaction> funding = new ArrayList<>();
            long aliceNonce = client.account(alice.account()).nextNonce();
            for (SigningKey s : senders) {
                funding.add(Transaction.sign(genesis, alice, aliceNonce++, fee,
                        new SudoCall.Sudo(new GovernanceCall.SetBalance(s.account(), Tokens.of(1_000)))));
            }
            submitAll(client, funding, batch);
            client.waitForInclusion(funding.get(funding.size() - 1).hash(), Duration.ofSeconds(60));

            System.out.printf(Locale.ROOT, "signing %d transfers (not timed) ...%n", transfers);
            List<Transaction> txs = new ArrayList<>(transfers);
            long[] nonces = new long[senderCount];
            for (int i = 0; i < transfers; i++) {
                int from = i % senderCount;
                AccountId to = senders.get((i * 7 + 3) % senderCount).account();
                txs.add(Transaction.sign(genesis, senders.get(from), nonces[from]++, fee, new BalancesCall.Transfer(to, 1 + i % 1000)));
            }
            List<List<Transaction>> batches = new ArrayList<>();
            for (int i = 0; i < txs.size(); i += batch) {
                batches.add(txs.subList(i, Math.min(txs.size(), i + batch)));
            }
            long startHeight = node.view().head().height();

            System.out.printf(Locale.ROOT, "submitting through the SDK in batches of %d from %d client threads ...%n", batch, clients);
            ConcurrentLinkedQueue<List<Transaction>> queue = new ConcurrentLinkedQueue<>(batches);
            AtomicLong refused = new AtomicLong();
            long cpu0 = processCpuNanos();
            long t0 = System.nanoTime();
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                Thread t = new Thread(() -> {
                    List<Transaction> b;
                    while ((b = queue.poll()) != null) {
                        for (SubmitOutcome o : client.submitAll(b)) {
                            if (!o.accepted()) {
                                refused.incrementAndGet();
                            }
                        }
                    }
                }, "bench-client-" + c);
                t.start();
                threads.add(t);
            }
            for (Thread t : threads) {
                t.join();
            }
            long submittedNanos = System.nanoTime() - t0;
            // Done when every sender's on-chain nonce reached the number of transfers it sent.
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (true) {
                boolean all = true;
                for (int i = 0; i < senderCount && all; i++) {
                    all = node.view().account(senders.get(i).account()).nonce() >= nonces[i];
                }
                if (all) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("not all transfers were included within 5 minutes");
                }
                Thread.sleep(5);
            }
            long wallNanos = System.nanoTime() - t0;
            long cpuNanos = processCpuNanos() - cpu0;
            long blocks = node.view().head().height() - startHeight;
            if (refused.get() > 0) {
                throw new IllegalStateException(refused.get() + " transfers were refused; the run is not valid");
            }

            double wallSeconds = wallNanos / 1e9;
            double txPerSecond = transfers / wallSeconds;
            double coresUsed = cpuNanos / (double) wallNanos;
            double txPerCoreSecond = transfers / (cpuNanos / 1e9);
            double ratio = txPerCoreSecond / reference.plainPerSecond;
            System.out.println();
            System.out.println("| measure | value |");
            System.out.println("|---|---|");
            row("transfers (all included, none refused)", String.format(Locale.ROOT, "%,d in %,d blocks (sealed every %d ms)", transfers, blocks, blockTime));
            row("submit time / total time to inclusion", String.format(Locale.ROOT, "%.2f s / %.2f s", submittedNanos / 1e9, wallSeconds));
            row("end-to-end throughput", String.format(Locale.ROOT, "%,.0f tx/s", txPerSecond));
            row("process CPU used (node + SDK client)", String.format(Locale.ROOT, "%.2f cores", coresUsed));
            row("throughput per core used", String.format(Locale.ROOT, "%,.0f tx/core-s", txPerCoreSecond));
            row("reference: Ed25519 verify, 1 core", String.format(Locale.ROOT, "%,.0f verify/s", reference.plainPerSecond));
            row("(info) Ed25519 verify with cached key point, 1 core", String.format(Locale.ROOT, "%,.0f verify/s", reference.cachedPerSecond));
            row("ratio: tx/core-s ÷ verify/s (goal ≥ 0.50)", String.format(Locale.ROOT, "%.2f", ratio));
        } finally {
            deleteRecursively(dir);
        }
    }

    private static void submitAll(CloisterClient client, List<Transaction> txs, int batch) {
        for (int i = 0; i < txs.size(); i += batch) {
            for (SubmitOutcome o : client.submitAll(txs.subList(i, Math.min(txs.size(), i + batch)))) {
                if (!o.accepted()) {
                    throw new IllegalStateException("funding refused: " + o.code() + ": " + o.message());
                }
            }
        }
    }

    private static void row(String name, String value) {
        System.out.printf(Locale.ROOT, "| %s | %s |%n", name, value);
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
