package cloister.bench;

import cloister.chain.runtime.contracts.WasmContracts;
import cloister.common.Hash;
import cloister.crypto.AccountId;
import cloister.crypto.DevKeys;
import cloister.crypto.EcdhKey;
import cloister.crypto.SigningKey;
import cloister.crypto.X25519PublicKey;
import cloister.proto.ContractId;
import cloister.proto.ContractsCall;
import cloister.proto.Event;
import cloister.proto.EventRecord;
import cloister.proto.Transaction;
import cloister.proto.envelope.CommandEnvelope;
import cloister.worker.CommandOutcome;
import cloister.worker.EnclaveStatus;
import cloister.worker.host.WorkerHost;
import cloister.worker.wasm.CallContext;
import cloister.worker.wasm.CallResult;
import cloister.worker.wasm.ContractStorage;
import cloister.worker.wasm.Entry;
import cloister.worker.wasm.ExampleContract;
import cloister.worker.wasm.WasmEngine;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * WebAssembly counter calls through the full confidential path: pre-signed {@code contracts.callContract}
 * transactions, each an increment HPKE-sealed to the contract key, go through the SDK (HTTP on loopback) into a whole
 * in-process network ({@link BenchNetwork}); every worker of the cluster opens each call in its enclave, runs the
 * metered counter in Chicory, applies its writes, and reports the call on chain, where the first report settles the
 * gas. The clock stops when every worker has executed every call; the time until the chain has settled them all is
 * printed too. Then every outcome must be OK with the same gas on every worker, the state commitments equal, and no
 * report may have disagreed.
 *
 * <p>The reference, measured in the same run on one core, is what each call must cost at least: the node's Ed25519
 * verification of the call, and on each worker an HPKE open of the input and one metered run of the counter in the
 * engine (the same engine and mode the workers use, without the network around it).
 */
final class CounterThroughput {
    private static final String NAME = "counter";

    private CounterThroughput() {}

    public static void main(String[] args) throws Exception {
        BenchOptions o = BenchOptions.parse(NAME, args,
                Set.of("--calls", "--senders", "--batch", "--clients", "--block-time", "--workers", "--timeout", "--warmup"), Set.of());
        if (o.help()) {
            System.out.println("Usage: ./cloister bench counter [--calls N (10000)] [--senders N (100)] [--batch N (500)] [--clients N (2)]");
            System.out.println("         [--block-time MS (250)] [--workers N (2)] [--timeout S (300)] [--warmup N (3000), not timed]");
            System.out.println();
            System.out.println("Starts a whole network in this process, uploads and instantiates the WebAssembly counter in cluster 0, then");
            System.out.println("submits --calls encrypted increments from --senders accounts through the SDK and times until every worker");
            System.out.println("has executed all of them; also reports when the chain had settled every call's gas. Reference, 1 core, same");
            System.out.println("run: 1 / (Ed25519 verify + workers x (HPKE open + one metered counter call in the engine)).");
            return;
        }
        int calls = o.integer("--calls", 10_000, 1, 1_000_000);
        int senders = o.integer("--senders", 100, 1, 100_000);
        int batch = o.integer("--batch", 500, 1, 5000);
        int clients = o.integer("--clients", 2, 1, 64);
        int blockTime = o.integer("--block-time", 250, 10, 600_000);
        int workers = o.integer("--workers", 2, 1, 8);
        int timeout = o.integer("--timeout", 300, 10, 3600);
        int warmup = o.integer("--warmup", 3_000, 0, 1_000_000);
        Bench.quietLogs();
        Bench.run(NAME, () -> run(calls, senders, batch, clients, blockTime, workers, timeout, warmup));
    }

    private static final long GAS_LIMIT = 100_000;

    private static byte[] increment() {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(1).array();
    }

    private record Reference(double verify, double hpkeOpen, double wasmCall, long gasPerCall) {
        double limit(int workers) {
            return 1.0 / (1.0 / verify + workers * (1.0 / hpkeOpen + 1.0 / wasmCall));
        }
    }

    private static Reference reference(List<SigningKey> keys) throws Exception {
        System.out.println("measuring the reference on 1 core (Ed25519 verify, HPKE open, a metered counter call) ...");
        VerifyRate v = VerifyRate.measure(keys);
        EcdhKey contract = EcdhKey.generate(new SecureRandom());
        ContractId id = new ContractId(Hash.ZERO);
        AccountId sender = keys.get(0).account();
        byte[] sealed = CommandEnvelope.seal(contract.publicKey(), Hash.ZERO, id, sender, increment());
        double hpke = Rates.perSecond(1.0, 2.0, i -> CommandEnvelope.open(contract, Hash.ZERO, id, sender, sealed)[0]);
        // The worker's engine (default config: the compiler) on one contract's storage, writes applied as the host does.
        WasmEngine engine = new WasmEngine(WasmEngine.Config.defaults());
        byte[] wasm = ExampleContract.COUNTER.wasm();
        ContractStorage storage = new ContractStorage();
        CallContext ctx = new CallContext(sender.bytes(), id.bytes(), 1, 0);
        long[] gas = new long[1];
        double wasmRate = Rates.perSecond(1.0, 2.0, i -> {
            CallResult r = engine.execute(wasm, Entry.CALL, increment(), ctx, storage, GAS_LIMIT);
            if (!r.ok()) {
                throw new Bench.Failure("the counter failed in the reference: " + r);
            }
            storage.apply(r.writes());
            gas[0] = r.gasUsed();
            return (int) r.gasUsed();
        });
        return new Reference(v.cachedPerSecond, hpke, wasmRate, gas[0]);
    }

    private static void run(int calls, int senderCount, int batch, int clients, int blockTime, int workerCount, int timeoutSeconds,
                            int warmup) throws Exception {
        Bench.header("WebAssembly counter calls through the confidential path");
        List<SigningKey> senders = new ArrayList<>();
        for (int i = 0; i < senderCount; i++) {
            senders.add(DevKeys.derive("bench/counter/sender/" + i));
        }
        Reference ref = reference(senders);

        System.out.printf(Locale.ROOT, "starting a network in this process (%d workers in cluster 0) ...%n", workerCount);
        try (BenchNetwork b = BenchNetwork.start(blockTime, workerCount, Math.max(100_000, 2 * (calls + warmup)))) {
            ContractId counter = deploy(b);
            X25519PublicKey key = b.client.contract(counter).publicKey().orElseThrow();
            System.out.printf(Locale.ROOT, "  counter %s… hosted by %d workers%n", counter.hex().substring(0, 16), workerCount);
            System.out.printf(Locale.ROOT, "funding %d senders ...%n", senderCount);
            b.fund(senders, 1_000_000, batch);

            if (warmup > 0) {
                System.out.printf(Locale.ROOT, "warm-up: %,d calls through the same path (not timed) ...%n", warmup);
                ConfidentialThroughput.Load warm = build(b, counter, key, senders, warmup, batch);
                ConfidentialThroughput.drive(b, warm, clients, timeoutSeconds);
                awaitSettled(b, warm, timeoutSeconds);
            }
            System.out.printf(Locale.ROOT, "sealing and signing %,d calls (not timed) ...%n", calls);
            ConfidentialThroughput.Load load = build(b, counter, key, senders, calls, batch);
            long startHeight = b.net.node().view().head().height();
            System.out.printf(Locale.ROOT, "submitting through the SDK in batches of %d from %d client threads; waiting for all %d workers ...%n",
                    batch, clients, workerCount);
            ConfidentialThroughput.Timeline t = ConfidentialThroughput.drive(b, load, clients, timeoutSeconds);
            long settledAt = awaitSettled(b, load, timeoutSeconds);

            System.out.println("checking outcomes, gas and state commitments (not timed) ...");
            List<WorkerHost> cluster = b.net.workers();
            String commitment = null;
            for (Transaction tx : load.txs()) {
                CommandOutcome first = null;
                for (WorkerHost w : cluster) {
                    CommandOutcome out = w.outcome(tx.hash()).orElseThrow(() -> new Bench.Failure(b.name(w) + " has no outcome for a call"));
                    if (!out.ok()) {
                        throw new Bench.Failure(b.name(w) + ": a call ended " + out.code() + ": " + out.message());
                    }
                    if (first != null && first.gasUsed() != out.gasUsed()) {
                        throw new Bench.Failure("WORKERS DISAGREE on gas: " + first.gasUsed() + " vs " + out.gasUsed());
                    }
                    first = out;
                }
            }
            for (WorkerHost w : cluster) {
                String c = hosted(w, counter).orElseThrow(() -> new Bench.Failure(b.name(w) + " does not host the counter"))
                        .stateCommitment().hex();
                if (commitment == null) {
                    commitment = c;
                } else if (!commitment.equals(c)) {
                    throw new Bench.Failure("WORKERS DIVERGED: state commitments " + commitment + " and " + c);
                }
            }
            long mismatches = 0;
            long head = b.net.node().view().head().height();
            for (long h = startHeight + 1; h <= head; h++) {
                for (EventRecord e : b.net.node().view().events(h).orElse(List.of())) {
                    if (e.event() instanceof Event.SettlementMismatch) {
                        mismatches++;
                    }
                }
            }
            if (mismatches > 0) {
                throw new Bench.Failure(mismatches + " settlement mismatches: the workers reported different outcomes");
            }

            double wall = t.wallNanos() / 1e9;
            double perSecond = calls / wall;
            double cores = t.cpuNanos() / (double) t.wallNanos();
            double perCoreSecond = calls / (t.cpuNanos() / 1e9);
            double limit = ref.limit(workerCount);
            System.out.println();
            System.out.println("| measure | value |");
            System.out.println("|---|---|");
            Bench.row("counter calls (every one OK on every worker, equal gas, equal state)", Bench.f(
                    "%,d increments from %,d senders, gas limit %,d each, blocks sealed every %d ms", calls, senderCount, GAS_LIMIT, blockTime));
            Bench.row("network in this process", Bench.f("chain + HTTP API + 1 gatekeeper + %d worker%s (sim TEE); SDK client over loopback",
                    workerCount, workerCount == 1 ? "" : "s"));
            StringBuilder times = new StringBuilder(Bench.f("submitted %.2f s, all in blocks %.2f s", (t.submittedAt() - t.t0()) / 1e9,
                    (t.includedAt() - t.t0()) / 1e9));
            for (int w = 0; w < cluster.size(); w++) {
                times.append(Bench.f(", %s done %.2f s", b.name(cluster.get(w)), (t.doneAt()[w] - t.t0()) / 1e9));
            }
            times.append(Bench.f(", all settled on chain %.2f s", (settledAt - t.t0()) / 1e9));
            Bench.row("timeline from the first submission", times.toString());
            Bench.row("end-to-end (submit → block → open + run in every enclave)", Bench.f("%,.0f calls/s", perSecond));
            Bench.row("including settlement on chain (every member's report accepted)", Bench.f("%,.0f calls/s",
                    calls / ((settledAt - t.t0()) / 1e9)));
            Bench.row("process CPU used until every worker was done", Bench.f("%.2f cores of %d", cores, Runtime.getRuntime().availableProcessors()));
            Bench.row("throughput per core used", Bench.f("%,.0f calls/core-s", perCoreSecond));
            Bench.row("reference: Ed25519 verify, 1 core", Bench.f("%,.0f /s (%.1f µs)", ref.verify(), 1e6 / ref.verify()));
            Bench.row("reference: HPKE open of the call's input, 1 core", Bench.f("%,.0f /s (%.1f µs)", ref.hpkeOpen(), 1e6 / ref.hpkeOpen()));
            Bench.row("reference: one metered counter call in the engine (compiler), 1 core",
                    Bench.f("%,.0f /s (%.1f µs, %,d gas)", ref.wasmCall(), 1e6 / ref.wasmCall(), ref.gasPerCall()));
            Bench.row(Bench.f("limit: 1 / (verify + %d × (HPKE open + counter call)), 1 core", workerCount), Bench.f("%,.0f calls/core-s", limit));
            Bench.row("ratio: calls/core-s ÷ limit", Bench.f("%.2f", perCoreSecond / limit));
            Bench.row("state commitment (equal on all workers)", commitment.substring(0, 16) + "…");
            System.out.println();
            System.out.println("| where the CPU went (Java threads) | core-s | share |");
            System.out.println("|---|---:|---:|");
            long attributed = 0;
            for (Map.Entry<String, Long> e : t.byStage().entrySet()) {
                if (e.getValue() < 5_000_000L) {
                    continue;
                }
                attributed += e.getValue();
                System.out.printf(Locale.ROOT, "| %s | %.2f | %.0f %% |%n", e.getKey(), e.getValue() / 1e9, 100.0 * e.getValue() / t.cpuNanos());
            }
            System.out.printf(Locale.ROOT, "| not in a Java thread (GC, JIT, RocksDB compaction) or in small/ended threads | %.2f | %.0f %% |%n",
                    (t.cpuNanos() - attributed) / 1e9, 100.0 * (t.cpuNanos() - attributed) / t.cpuNanos());
            System.out.println();
            System.out.printf(Locale.ROOT, "notes: each call is opened and run by each of the %d workers, all in this one process; each worker also%n",
                    workerCount);
            System.out.println("  signs a report per call that the node verifies (two Ed25519 signatures: the worker's and its operator's");
            System.out.println("  transaction) — work the limit does not count. Sealing and signing the calls happens before the clock starts.");
        }
    }

    /** Uploads the counter and instantiates it as alice; returns once every worker of cluster 0 hosts it. */
    private static ContractId deploy(BenchNetwork b) throws InterruptedException {
        SigningKey alice = DevKeys.get("alice");
        byte[] code = ExampleContract.COUNTER.wasm();
        Hash codeHash = cloister.crypto.Sha256.hash(code);
        long nonce = b.client.account(alice.account()).nextNonce();
        Transaction up = Transaction.sign(b.genesis, alice, nonce, b.fee, new ContractsCall.UploadCode(code));
        Transaction inst = Transaction.sign(b.genesis, alice, nonce + 1, b.fee,
                new ContractsCall.Instantiate(codeHash, 0, new byte[] {1}, new byte[0], GAS_LIMIT, 1));
        b.client.submitAll(List.of(up, inst));
        ContractId id = ContractId.wasm(alice.account(), codeHash, 0, new byte[] {1});
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (b.net.workers().stream().anyMatch(w -> hosted(w, id).isEmpty() || w.outcome(inst.hash()).isEmpty())) {
            if (System.nanoTime() > deadline) {
                throw new Bench.Failure("the counter was not hosted by every worker within 60 s");
            }
            Thread.sleep(20);
        }
        return id;
    }

    private static ConfidentialThroughput.Load build(BenchNetwork b, ContractId counter, X25519PublicKey key, List<SigningKey> senders,
                                                     int calls, int batch) {
        int n = senders.size();
        long[] first = senders.stream().mapToLong(s -> b.net.node().view().nextNonce(s.account())).toArray();
        Transaction[] txs = IntStream.range(0, calls).parallel().mapToObj(i -> {
            SigningKey s = senders.get(i % n);
            byte[] sealed = CommandEnvelope.seal(key, b.genesis, counter, s.account(), increment());
            return Transaction.sign(b.genesis, s, first[i % n] + i / n, b.fee, new ContractsCall.CallContract(counter, sealed, GAS_LIMIT, 1));
        }).toArray(Transaction[]::new);
        return ConfidentialThroughput.Load.of(txs, n, batch);
    }

    /** Waits until the chain has settled every call of {@code load}; returns when (System.nanoTime). */
    private static long awaitSettled(BenchNetwork b, ConfidentialThroughput.Load load, int timeoutSeconds) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
        List<Hash> waiting = new ArrayList<>(List.of(load.txs()).stream().map(Transaction::hash).toList());
        long lastHead = -1;
        while (true) {
            long head = b.net.node().view().head().height();
            if (head != lastHead) {
                lastHead = head;
                var state = b.net.node().view().state();
                waiting.removeIf(h -> WasmContracts.SettledCalls.INSTANCE.get(state, h).isPresent());
                if (waiting.isEmpty()) {
                    return System.nanoTime();
                }
            }
            if (System.nanoTime() > deadline) {
                throw new Bench.Failure(waiting.size() + " calls were not settled on chain within " + timeoutSeconds + " s");
            }
            Thread.sleep(5);
        }
    }

    private static Optional<EnclaveStatus.HostedContract> hosted(WorkerHost w, ContractId id) {
        return w.status().hosted().stream().filter(h -> h.id().equals(id)).findFirst();
    }
}
