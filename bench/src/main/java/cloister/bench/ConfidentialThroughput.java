package cloister.bench;

import cloister.chain.TxStatus;
import cloister.common.Hash;
import cloister.crypto.AccountId;
import cloister.crypto.DevKeys;
import cloister.crypto.EcdhKey;
import cloister.crypto.SigningKey;
import cloister.crypto.X25519PublicKey;
import cloister.proto.Block;
import cloister.proto.ContractId;
import cloister.proto.ContractsCall;
import cloister.proto.Transaction;
import cloister.proto.envelope.CommandEnvelope;
import cloister.proto.envelope.SecretNotesMessages;
import cloister.sdk.SubmitOutcome;
import cloister.worker.CommandOutcome;
import cloister.worker.EnclaveStatus;
import cloister.worker.host.WorkerHost;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Confidential command throughput end to end: pre-signed {@code contracts.pushCommand} transactions, each an
 * HPKE-sealed {@code secret-notes} AddNote for the contract key the chain publishes, go through the SDK
 * ({@code submitAll}, HTTP on loopback) into a whole in-process network ({@link BenchNetwork}); the clock stops
 * when every worker of the cluster has executed every command (submit → block → decrypt in the enclave → state
 * change). Then every outcome must be OK and the workers' state commitments must be equal.
 *
 * <p>The reference, measured in the same run on one core, is the per-command cryptographic limit: one Ed25519
 * verification (the sender's signature), one X25519 agreement and one AES-256-GCM open of the command — the least
 * any design that authenticates the sender and decrypts the command once must compute.
 */
final class ConfidentialThroughput {
    private static final String NAME = "confidential";
    private static final double GOAL = 0.50;

    private ConfidentialThroughput() {}

    public static void main(String[] args) throws Exception {
        BenchOptions o = BenchOptions.parse(NAME, args,
                Set.of("--commands", "--senders", "--batch", "--clients", "--block-time", "--workers", "--note-bytes", "--timeout", "--warmup"), Set.of());
        if (o.help()) {
            System.out.println("Usage: ./cloister bench confidential [--commands N (20000)] [--senders N (200)] [--batch N (1000)]");
            System.out.println("         [--clients N (2)] [--block-time MS (250)] [--workers N (2)] [--note-bytes N (64)] [--timeout S (300)]");
            System.out.println("         [--warmup N (10000): commands sent through the same path first, not timed, so the JIT has compiled it]");
            System.out.println();
            System.out.println("Starts a whole network in this process (chain with dev sealing, HTTP API, a sim-TEE gatekeeper and the");
            System.out.println("--workers of cluster 0 running secret-notes), submits --commands encrypted AddNote commands from --senders");
            System.out.println("accounts through the SDK in batches of --batch from --clients threads, and times until every worker has");
            System.out.println("executed all of them. Reference: 1 / (Ed25519 verify + X25519 + AES-256-GCM open), 1 core, same run.");
            System.out.println("A sender keeps at most 1000 notes, so --commands may be at most 1000 x --senders.");
            return;
        }
        int commands = o.integer("--commands", 20_000, 1, 1_000_000);
        int senders = o.integer("--senders", 200, 1, 100_000);
        int batch = o.integer("--batch", 1000, 1, 5000);
        int clients = o.integer("--clients", 2, 1, 64);
        int blockTime = o.integer("--block-time", 250, 10, 600_000);
        int workers = o.integer("--workers", 2, 1, 8);
        int noteBytes = o.integer("--note-bytes", 64, 1, SecretNotesMessages.MAX_NOTE_BYTES);
        int timeout = o.integer("--timeout", 300, 10, 3600);
        int warmup = o.integer("--warmup", 10_000, 0, 1_000_000);
        if ((long) senders * 1000 < Math.max(commands, warmup)) {
            o.fail("--commands " + commands + " and --warmup " + warmup + " need at least " + (Math.max(commands, warmup) + 999) / 1000
                    + " --senders (a secret-notes account keeps at most 1000 notes)");
        }
        Bench.quietLogs();
        Bench.run(NAME, () -> run(commands, senders, batch, clients, blockTime, workers, noteBytes, timeout, warmup));
    }

    /** Single-core rates of the per-command primitives and of the enclave's whole HPKE open. */
    private record Reference(double verify, double verifyPlain, double x25519, double aesOpen, double hpkeOpen, int ciphertextBytes) {
        double limit() {
            return 1.0 / (1.0 / verify + 1.0 / x25519 + 1.0 / aesOpen);
        }

        /**
         * The same limit for the work this run must do on one machine: the node verifies each command once, and each
         * of the cluster's {@code workers} decrypts it (one X25519 + one AES-GCM open each).
         */
        double clusterLimit(int workers) {
            return 1.0 / (1.0 / verify + workers * (1.0 / x25519 + 1.0 / aesOpen));
        }

        /** What the ratio could reach if only cryptography cost anything, with {@code workers} decrypting each command. */
        double ceiling(int workers) {
            return 1.0 / (1.0 / verify + workers / hpkeOpen) / limit();
        }
    }

    private static Reference reference(List<SigningKey> keys, byte[] plaintext) throws Exception {
        System.out.println("measuring the reference on 1 core (Ed25519 verify, X25519, AES-256-GCM open, HPKE open) ...");
        VerifyRate v = VerifyRate.measure(keys);
        SecureRandom random = new SecureRandom();
        EcdhKey contract = EcdhKey.generate(random);
        X25519PublicKey peer = EcdhKey.generate(random).publicKey();
        double x25519 = Rates.perSecond(1.0, 2.0, i -> contract.agree(peer).orElseThrow()[0]);

        // AES-256-GCM open of a ciphertext the size of one command's, with the sender's account as AAD, as Hpke does it.
        byte[] key = new byte[32];
        byte[] nonce = new byte[12];
        byte[] aad = keys.get(0).account().bytes();
        random.nextBytes(key);
        random.nextBytes(nonce);
        SecretKeySpec spec = new SecretKeySpec(key, "AES");
        Cipher enc = Cipher.getInstance("AES/GCM/NoPadding");
        enc.init(Cipher.ENCRYPT_MODE, spec, new GCMParameterSpec(128, nonce));
        enc.updateAAD(aad);
        byte[] ct = enc.doFinal(plaintext);
        Cipher dec = Cipher.getInstance("AES/GCM/NoPadding");
        double aes = Rates.perSecond(1.0, 2.0, i -> {
            dec.init(Cipher.DECRYPT_MODE, spec, new GCMParameterSpec(128, nonce));
            dec.updateAAD(aad);
            return dec.doFinal(ct)[0];
        });

        // The enclave's whole open: X25519 + the HPKE key schedule (HKDF-SHA256) + AES-256-GCM.
        Hash genesis = Hash.ZERO;
        ContractId id = ContractId.system(SecretNotesMessages.KIND, 0);
        AccountId sender = keys.get(0).account();
        byte[] sealed = CommandEnvelope.seal(contract.publicKey(), genesis, id, sender, plaintext);
        double hpke = Rates.perSecond(1.0, 2.0, i -> CommandEnvelope.open(contract, genesis, id, sender, sealed)[0]);
        return new Reference(v.cachedPerSecond, v.plainPerSecond, x25519, aes, hpke, ct.length);
    }

    private static byte[] addNote(int i, int noteBytes) {
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "bench note %08d ", i));
        while (text.length() < noteBytes) {
            text.append('.');
        }
        text.setLength(noteBytes);
        return SecretNotesMessages.encode(new SecretNotesMessages.AddNote(text.toString()));
    }

    private static void run(int commands, int senderCount, int batch, int clients, int blockTime, int workerCount,
                            int noteBytes, int timeoutSeconds, int warmup) throws Exception {
        Bench.header("confidential command throughput");
        List<SigningKey> senders = new ArrayList<>();
        for (int i = 0; i < senderCount; i++) {
            senders.add(DevKeys.derive("bench/confidential/sender/" + i));
        }
        Reference ref = reference(senders, addNote(0, noteBytes));

        System.out.printf(Locale.ROOT, "starting a network in this process (%d workers in cluster 0) ...%n", workerCount);
        try (BenchNetwork b = BenchNetwork.start(blockTime, workerCount, Math.max(100_000, commands + senderCount + 1000))) {
            X25519PublicKey contractKey = b.client.contract(b.notes).publicKey()
                    .orElseThrow(() -> new Bench.Failure("the secret-notes contract has no public key after set-up"));

            List<SigningKey> warmSenders = new ArrayList<>();
            int warmSenderCount = warmup == 0 ? 0 : Math.min(senderCount, warmup);
            for (int i = 0; i < warmSenderCount; i++) {
                warmSenders.add(DevKeys.derive("bench/confidential/warm-up/" + i));
            }
            System.out.printf(Locale.ROOT, "funding %d senders ...%n", senderCount + warmSenderCount);
            List<SigningKey> everyone = new ArrayList<>(senders);
            everyone.addAll(warmSenders);
            b.fund(everyone, 1_000, batch);

            System.out.printf(Locale.ROOT, "sealing and signing %,d + %,d warm-up commands (not timed) ...%n", commands, warmup);
            Load load = build(b, contractKey, senders, commands, batch, noteBytes);
            List<WorkerHost> cluster = b.net.workers();
            if (warmup > 0) {
                System.out.printf(Locale.ROOT, "warm-up: %,d commands through the same path (not timed) ...%n", warmup);
                drive(b, build(b, contractKey, warmSenders, warmup, batch, noteBytes), clients, timeoutSeconds);
            }
            Transaction[] txs = load.txs();
            int sealedBytes = ((ContractsCall.PushCommand) txs[0].call()).sealed().length;
            Map<WorkerHost, Long> before = new HashMap<>();
            for (WorkerHost w : cluster) {
                before.put(w, hosted(w, b).map(EnclaveStatus.HostedContract::commands).orElse(0L));
            }
            long startHeight = b.net.node().view().head().height();

            System.out.printf(Locale.ROOT, "submitting through the SDK in batches of %d from %d client threads; waiting for all %d workers ...%n",
                    batch, clients, workerCount);
            Timeline timeline = drive(b, load, clients, timeoutSeconds);
            long t0 = timeline.t0();
            long wallNanos = timeline.wallNanos();
            long cpuNanos = timeline.cpuNanos();
            Map<String, Long> byStage = timeline.byStage();
            long submittedAt = timeline.submittedAt();
            long includedAt = timeline.includedAt();
            long[] doneAt = timeline.doneAt();

            // Validity: every command executed OK on every worker, the same number of commands, the same state.
            System.out.println("checking outcomes and state commitments (not timed) ...");
            String commitment = null;
            for (WorkerHost w : cluster) {
                int notOk = 0;
                String firstBad = null;
                for (Transaction tx : txs) {
                    Optional<CommandOutcome> out = w.outcome(tx.hash());
                    if (out.isEmpty() || !out.get().ok()) {
                        notOk++;
                        if (firstBad == null) {
                            firstBad = out.map(x -> x.code() + ": " + x.message()).orElse("no outcome");
                        }
                    }
                }
                if (notOk > 0) {
                    throw new Bench.Failure(b.name(w) + ": " + notOk + " of " + commands + " commands did not execute OK (first: " + firstBad + ")");
                }
                EnclaveStatus.HostedContract h = hosted(w, b)
                        .orElseThrow(() -> new Bench.Failure(b.name(w) + " does not host the secret-notes contract"));
                if (h.commands() - before.get(w) != commands) {
                    throw new Bench.Failure(b.name(w) + " counts " + (h.commands() - before.get(w)) + " commands, expected " + commands);
                }
                String c = h.stateCommitment().hex();
                if (commitment == null) {
                    commitment = c;
                } else if (!commitment.equals(c)) {
                    throw new Bench.Failure("WORKERS DIVERGED: " + b.name(cluster.get(0)) + " state commitment " + commitment
                            + ", " + b.name(w) + " " + c);
                }
            }
            int blocksWithCommands = 0;
            long lastHeight = b.net.node().view().head().height();
            for (long h = startHeight + 1; h <= lastHeight; h++) {
                Optional<Block> blk = b.net.node().view().blockAt(h);
                if (blk.isPresent() && blk.get().transactions().stream().anyMatch(t -> t.call() instanceof ContractsCall.PushCommand)) {
                    blocksWithCommands++;
                }
            }

            double wall = wallNanos / 1e9;
            double perSecond = commands / wall;
            double cores = cpuNanos / (double) wallNanos;
            double perCoreSecond = commands / (cpuNanos / 1e9);
            double ratio = perCoreSecond / ref.limit();
            double clusterRatio = perCoreSecond / ref.clusterLimit(workerCount);
            System.out.println();
            System.out.println("| measure | value |");
            System.out.println("|---|---|");
            Bench.row("confidential commands (every one executed OK by every worker)", Bench.f(
                    "%,d secret-notes AddNote (%d-byte note, %d-byte sealed command) from %,d senders, in %d blocks (sealed every %d ms)",
                    commands, noteBytes, sealedBytes, senderCount, blocksWithCommands, blockTime));
            Bench.row("network in this process", Bench.f("chain + HTTP API + 1 gatekeeper + %d worker%s (sim TEE); SDK client over loopback",
                    workerCount, workerCount == 1 ? "" : "s"));
            StringBuilder times = new StringBuilder(Bench.f("submitted %.2f s, all in blocks %.2f s", (submittedAt - t0) / 1e9,
                    (includedAt - t0) / 1e9));
            for (int w = 0; w < cluster.size(); w++) {
                times.append(Bench.f(", %s done %.2f s", b.name(cluster.get(w)), (doneAt[w] - t0) / 1e9));
            }
            Bench.row("timeline from the first submission", times.toString());
            Bench.row("end-to-end throughput (submit → block → decrypt in enclave → state change)", Bench.f("%,.0f commands/s", perSecond));
            Bench.row("process CPU used (node + workers + SDK client)", Bench.f("%.2f cores of %d", cores, Runtime.getRuntime().availableProcessors()));
            Bench.row("throughput per core used", Bench.f("%,.0f commands/core-s", perCoreSecond));
            Bench.row("reference: Ed25519 verify, 1 core (cached key point, as the node verifies)", Bench.f("%,.0f /s (%.1f µs)", ref.verify(), 1e6 / ref.verify()));
            Bench.row("reference: X25519 agreement, 1 core", Bench.f("%,.0f /s (%.1f µs)", ref.x25519(), 1e6 / ref.x25519()));
            Bench.row(Bench.f("reference: AES-256-GCM open of %d bytes + 32-byte AAD, 1 core", ref.ciphertextBytes()),
                    Bench.f("%,.0f /s (%.1f µs)", ref.aesOpen(), 1e6 / ref.aesOpen()));
            Bench.row("limit: 1 / (verify + X25519 + AES-GCM open), 1 core", Bench.f("%,.0f commands/core-s", ref.limit()));
            Bench.row(Bench.f("ratio: commands/core-s ÷ limit (goal ≥ %.2f)", GOAL), Bench.f("%.2f — goal %s", ratio, ratio >= GOAL ? "met" : "MISSED"));
            if (workerCount > 1) {
                Bench.row(Bench.f("limit for this run: 1 / (verify + %d × (X25519 + AES-GCM open)): %d workers decrypt each command here",
                        workerCount, workerCount), Bench.f("%,.0f commands/core-s", ref.clusterLimit(workerCount)));
                Bench.row(Bench.f("ratio: commands/core-s ÷ limit for this run (goal ≥ %.2f)", GOAL),
                        Bench.f("%.2f — goal %s", clusterRatio, clusterRatio >= GOAL ? "met" : "MISSED"));
            }
            Bench.row("(info) Ed25519 verify, key decoded per call, 1 core", Bench.f("%,.0f /s", ref.verifyPlain()));
            Bench.row("(info) HPKE open of one command as the enclave does it (X25519 + HKDF key schedule + AES-GCM), 1 core",
                    Bench.f("%,.0f /s (%.1f µs)", ref.hpkeOpen(), 1e6 / ref.hpkeOpen()));
            Bench.row(Bench.f("(info) crypto-only ceiling of the ratio here: 1 verify + %d HPKE open%s per command", workerCount,
                    workerCount == 1 ? "" : "s"),
                    Bench.f("%.2f", ref.ceiling(workerCount)));
            Bench.row("state commitment (equal on all workers)", commitment.substring(0, 16) + "…");
            System.out.println();
            System.out.println("| where the CPU went (Java threads; the rest is GC, JIT, RocksDB's native threads) | core-s | share |");
            System.out.println("|---|---:|---:|");
            long attributed = 0;
            for (Map.Entry<String, Long> e : byStage.entrySet()) {
                if (e.getValue() < 5_000_000L) {
                    continue;
                }
                attributed += e.getValue();
                System.out.printf(Locale.ROOT, "| %s | %.2f | %.0f %% |%n", e.getKey(), e.getValue() / 1e9, 100.0 * e.getValue() / cpuNanos);
            }
            System.out.printf(Locale.ROOT, "| not in a Java thread (GC, JIT, RocksDB compaction) or in small/ended threads | %.2f | %.0f %% |%n",
                    (cpuNanos - attributed) / 1e9, 100.0 * (cpuNanos - attributed) / cpuNanos);
            System.out.println();
            if (workerCount == 1) {
                System.out.println("notes: every command is decrypted by the cluster's one worker, in this same process;");
            } else {
                System.out.printf(Locale.ROOT, "notes: every command is decrypted by each of the %d workers of the cluster, all in this one process,"
                        + " so the process does %d X25519 agreements per command where the limit counts one;%n", workerCount, workerCount);
            }
            System.out.println("  a worker's decrypt is a whole HPKE open, with its HKDF-SHA256 key schedule on top of X25519 and AES-GCM (row 'HPKE open');");
            System.out.println("  the gatekeeper also syncs every block and buffers (up to 4,096, still encrypted) the commands of the contract it does not host.");
            System.out.println("  The CPU counted is the whole process from the first submission to the last worker's last command: the SDK client's");
            System.out.println("  HTTP/JSON, the node (decode, signature check, pool, blocks, RocksDB), block seal checks, sync, enclave decrypt and");
            System.out.println("  contract, GC and JIT. Not counted: sealing and signing the commands (done before the clock starts).");
            System.out.println("  The limit counts only 1 Ed25519 verify + 1 X25519 + 1 AES-GCM open per command; the 'ceiling' row is what the");
            System.out.println("  ratio could reach here if nothing but the node's verify and the workers' HPKE opens cost anything.");
        }
    }

    /** One phase's signed commands, in submission batches, and each sender's last command. */
    record Load(Transaction[] txs, List<List<Transaction>> batches, List<Hash> lastPerSender) {
        /** Submission batches of {@code txs}, signed round robin by {@code senders} accounts (tx i by sender i % n). */
        static Load of(Transaction[] txs, int senders, int batch) {
            List<Transaction> all = List.of(txs);
            List<List<Transaction>> batches = new ArrayList<>();
            for (int i = 0; i < txs.length; i += batch) {
                batches.add(all.subList(i, Math.min(txs.length, i + batch)));
            }
            // A sender's transactions execute in nonce order, so a worker has executed all of them once it has the last one.
            List<Hash> last = new ArrayList<>();
            for (int s = 0; s < Math.min(senders, txs.length); s++) {
                last.add(txs[s + ((txs.length - 1 - s) / senders) * senders].hash());
            }
            return new Load(txs, batches, last);
        }
    }

    /** Seals and signs {@code commands} AddNote commands from {@code senders}, round robin (sender i % n, nonce i / n). */
    private static Load build(BenchNetwork b, X25519PublicKey contractKey, List<SigningKey> senders, int commands, int batch, int noteBytes) {
        int n = senders.size();
        long[] first = senders.stream().mapToLong(s -> b.net.node().view().nextNonce(s.account())).toArray();
        Transaction[] txs = IntStream.range(0, commands).parallel().mapToObj(i -> {
            SigningKey s = senders.get(i % n);
            long nonce = first[i % n] + i / n;
            byte[] sealed = CommandEnvelope.seal(contractKey, b.genesis, b.notes, s.account(), addNote(i, noteBytes));
            return Transaction.sign(b.genesis, s, nonce, b.fee, new ContractsCall.PushCommand(b.notes, sealed));
        }).toArray(Transaction[]::new);
        return Load.of(txs, n, batch);
    }

    /** When each stage finished (System.nanoTime), and the CPU the process spent from t0 to the last worker. */
    record Timeline(long t0, long submittedAt, long includedAt, long[] doneAt, long wallNanos, long cpuNanos,
                            Map<String, Long> byStage) {}

    /**
     * Submits the load from {@code clients} threads and waits until every worker of the cluster has executed all of
     * it. Polls cheaply: the chain only when its head moved, a worker only when its synced height moved, and then
     * only for the senders' last commands not yet seen.
     */
    static Timeline drive(BenchNetwork b, Load load, int clients, int timeoutSeconds) throws InterruptedException {
        List<WorkerHost> cluster = b.net.workers();
        int commands = load.txs().length;
        Bench.ThreadCpu threads = new Bench.ThreadCpu(name -> stage(name, b));
        ConcurrentLinkedQueue<List<Transaction>> queue = new ConcurrentLinkedQueue<>(load.batches());
        AtomicLong refused = new AtomicLong();
        AtomicReference<String> firstRefusal = new AtomicReference<>();
        long cpu0 = Bench.processCpuNanos();
        long t0 = System.nanoTime();
        List<Thread> submitters = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            submitters.add(Thread.ofPlatform().name("bench-client-" + c).start(() -> {
                List<Transaction> next;
                while ((next = queue.poll()) != null) {
                    for (SubmitOutcome so : b.client.submitAll(next)) {
                        if (!so.accepted()) {
                            refused.incrementAndGet();
                            firstRefusal.compareAndSet(null, so.code() + ": " + so.message());
                        }
                    }
                }
            }));
        }
        long submittedAt = -1;
        long includedAt = -1;
        long[] doneAt = new long[cluster.size()];
        List<List<Hash>> waiting = new ArrayList<>();
        for (int w = 0; w < cluster.size(); w++) {
            waiting.add(new ArrayList<>(load.lastPerSender()));
        }
        List<Hash> notIncluded = new ArrayList<>(load.lastPerSender());
        long lastHead = -1;
        long[] lastSynced = new long[cluster.size()];
        Arrays.fill(lastSynced, -1);
        long deadline = t0 + Duration.ofSeconds(timeoutSeconds).toNanos();
        while (true) {
            long now = System.nanoTime();
            if (submittedAt < 0 && submitters.stream().noneMatch(Thread::isAlive)) {
                submittedAt = now;
                if (refused.get() > 0) {
                    throw new Bench.Failure(refused.get() + " of " + commands + " commands were refused by the node (first: "
                            + firstRefusal.get() + "); the run is not valid");
                }
            }
            long head = b.net.node().view().head().height();
            if (includedAt < 0 && head != lastHead) {
                lastHead = head;
                notIncluded.removeIf(h -> b.net.node().view().txStatus(h) instanceof TxStatus.Included);
                if (notIncluded.isEmpty()) {
                    includedAt = now;
                }
            }
            boolean allDone = true;
            for (int w = 0; w < cluster.size(); w++) {
                if (doneAt[w] > 0) {
                    continue;
                }
                WorkerHost host = cluster.get(w);
                long synced = host.syncedHeight();
                if (synced != lastSynced[w]) {
                    lastSynced[w] = synced;
                    waiting.get(w).removeIf(h -> host.outcome(h).isPresent());
                    if (waiting.get(w).isEmpty()) {
                        doneAt[w] = now;
                        continue;
                    }
                }
                allDone = false;
            }
            if (allDone && submittedAt > 0) {
                break;
            }
            if (now > deadline) {
                StringBuilder where = new StringBuilder();
                for (int w = 0; w < cluster.size(); w++) {
                    where.append(String.format(Locale.ROOT, "%s still waits for %d senders' last commands; ", b.name(cluster.get(w)),
                            waiting.get(w).size()));
                }
                throw new Bench.Failure("not all commands were executed within " + timeoutSeconds + " s: " + where
                        + notIncluded.size() + " senders' last commands not in a block");
            }
            Thread.sleep(2);
        }
        long wallNanos = System.nanoTime() - t0;
        long cpuNanos = Bench.processCpuNanos() - cpu0;
        Map<String, Long> byStage = threads.since();
        if (includedAt < 0) {
            includedAt = Arrays.stream(doneAt).min().orElse(0);
        }
        return new Timeline(t0, submittedAt, includedAt, doneAt, wallNanos, cpuNanos, byStage);
    }

    private static Optional<EnclaveStatus.HostedContract> hosted(WorkerHost w, BenchNetwork b) {
        return w.status().hosted().stream().filter(h -> h.id().equals(b.notes)).findFirst();
    }

    /** Which stage a thread belongs to, by its name. */
    static String stage(String thread, BenchNetwork b) {
        String owner = b.syncThreadOwner(thread);
        if (owner != null) {
            return owner + " sync (read blocks, enclave: decrypt + contract)";
        }
        if (thread.startsWith("bench-client-") || thread.startsWith("HttpClient-")) {
            return "SDK client (submitAll over HTTP)";
        }
        if (thread.equals("dev-sealing")) {
            return "block production (propose + import + RocksDB commit)";
        }
        if (thread.startsWith("ForkJoinPool.commonPool")) {
            return "common pool (parallel seal/root checks of worker sync)";
        }
        if (thread.startsWith("qtp") || thread.startsWith("JettyServerThreadPool") || thread.contains("Jetty")) {
            return "node HTTP API (decode, signature check, pool)";
        }
        if (thread.equals("main")) {
            return "benchmark main thread (polling)";
        }
        return "other: " + thread.replaceAll("[-#]?\\d+$", "");
    }
}
