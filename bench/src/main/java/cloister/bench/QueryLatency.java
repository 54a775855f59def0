package cloister.bench;

import cloister.common.Hash;
import cloister.crypto.DevKeys;
import cloister.crypto.SigningKey;
import cloister.proto.WorkerId;
import cloister.proto.envelope.QueryEnvelope;
import cloister.proto.envelope.SecretNotesMessages;
import cloister.sdk.CloisterClient;
import cloister.sdk.ConfidentialClient;
import cloister.sdk.RegisteredWorker;
import cloister.worker.host.WorkerHost;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Encrypted, signed queries to one worker of a whole in-process network ({@link BenchNetwork}), after the caller
 * has added a few notes so the answer is a real list: latency percentiles and throughput of
 *
 * <ul>
 *   <li>the bare query round trip over HTTP loopback — {@code ConfidentialClient.query(worker, …)}: seal (X25519,
 *       HKDF, AES-GCM, the caller's Ed25519 signature), one POST to the worker's {@code /v1/query}, verify the
 *       worker's signature and decrypt — from 1 client thread and from several;
 *   <li>the full SDK call {@code ConfidentialClient.query(caller, contract, query)}, which first asks the node which
 *       workers run the contract and checks each against the chain (1 + cluster-size GETs, reused for ConfidentialClient's registry TTL of 2 s), then does the above;
 * </ul>
 *
 * against the reference measured in the same run: the same seal + {@code WorkerHost.query(bytes)} + open in this
 * process without HTTP, so what HTTP adds is visible.
 */
final class QueryLatency {
    private static final String NAME = "query";
    private static final double GOAL_P50_MS = 1.0;
    private static final double GOAL_P99_MS = 5.0;

    private QueryLatency() {}

    public static void main(String[] args) throws Exception {
        BenchOptions o = BenchOptions.parse(NAME, args,
                Set.of("--queries", "--sdk-queries", "--warmup", "--threads", "--notes", "--block-time"), Set.of());
        if (o.help()) {
            System.out.println("Usage: ./cloister bench query [--queries N (20000)] [--sdk-queries N (5000)] [--warmup N (2000)]");
            System.out.println("         [--threads N (4)] [--notes N (5)] [--block-time MS (250)]");
            System.out.println();
            System.out.println("Starts a whole network in this process, adds --notes notes for the caller, then measures list-notes queries");
            System.out.println("to worker-0 (each phase after --warmup untimed queries): --queries in-process (seal + WorkerHost.query +");
            System.out.println("open, no HTTP: the reference), --queries bare round trips over HTTP from 1 thread, --sdk-queries full SDK");
            System.out.println("calls (with the node look-ups of the contract's workers), and --queries round trips from --threads threads.");
            return;
        }
        int queries = o.integer("--queries", 20_000, 1, 10_000_000);
        int sdkQueries = o.integer("--sdk-queries", 5_000, 1, 10_000_000);
        int warmup = o.integer("--warmup", 2_000, 0, 10_000_000);
        int threads = o.integer("--threads", 4, 1, 256);
        int notes = o.integer("--notes", 5, 0, 1000);
        int blockTime = o.integer("--block-time", 250, 10, 600_000);
        Bench.quietLogs();
        Bench.run(NAME, () -> run(queries, sdkQueries, warmup, threads, notes, blockTime));
    }

    /** Latencies (ns) of one phase, its wall time and the process CPU it used. */
    private record Phase(String name, long[] sorted, long wallNanos, long cpuNanos) {
        double p(double q) {
            return Bench.quantileMillis(sorted, q);
        }

        double perSecond() {
            return sorted.length / (wallNanos / 1e9);
        }

        void row() {
            System.out.printf(Locale.ROOT, "| %s | %,d | %.3f | %.3f | %.3f | %.3f | %,.0f | %.2f |%n", name, sorted.length, p(0.50), p(0.90),
                    p(0.99), sorted[sorted.length - 1] / 1e6, perSecond(), cpuNanos / (double) wallNanos);
        }
    }

    private interface Call {
        void run(int i) throws Exception;
    }

    /** {@code warmup} untimed calls (numbered 0..warmup-1), then {@code n} timed ones (numbered on) on this thread. */
    private static Phase sequential(String name, int warmup, int n, Call call) throws Exception {
        for (int i = 0; i < warmup; i++) {
            call.run(i);
        }
        long[] lat = new long[n];
        long cpu0 = Bench.processCpuNanos();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long s = System.nanoTime();
            call.run(warmup + i);
            lat[i] = System.nanoTime() - s;
        }
        long wall = System.nanoTime() - t0;
        return new Phase(name, Bench.sorted(lat), wall, Bench.processCpuNanos() - cpu0);
    }

    private static void run(int queries, int sdkQueries, int warmup, int threadCount, int noteCount, int blockTime) throws Exception {
        Bench.header("encrypted query latency");
        System.out.println("starting a network in this process (1 gatekeeper, 2 workers in cluster 0) ...");
        try (BenchNetwork b = BenchNetwork.start(blockTime, 2, 100_000)) {
            SigningKey caller = DevKeys.derive("bench/query/caller");
            b.fund(List.of(caller), 1_000, 100);
            ConfidentialClient sdk = new ConfidentialClient(b.client);
            WorkerHost host = b.net.workers().get(0);
            WorkerId id = host.id();

            System.out.printf(Locale.ROOT, "adding %d notes for the caller and waiting until worker-0 has them ...%n", noteCount);
            List<Hash> added = new ArrayList<>();
            for (int i = 0; i < noteCount; i++) {
                byte[] cmd = SecretNotesMessages.encode(new SecretNotesMessages.AddNote(String.format(Locale.ROOT,
                        "bench query note %d: a line of text about as long as a short note", i)));
                added.add(sdk.command(caller, b.notes, cmd, b.fee));
            }
            awaitUntil("worker-0 executing the caller's notes", () -> added.stream().allMatch(h -> host.outcome(h).isPresent()));
            for (Hash h : added) {
                if (!host.outcome(h).orElseThrow().ok()) {
                    throw new Bench.Failure("adding a note failed on worker-0: " + host.outcome(h).orElseThrow().code());
                }
            }
            AtomicReference<RegisteredWorker> found = new AtomicReference<>();
            awaitUntil("worker-0's query endpoint on chain", () -> {
                sdk.trustedWorkers(b.notes).stream().filter(w -> w.id().equals(id)).findFirst().ifPresent(found::set);
                return found.get() != null;
            });
            RegisteredWorker worker = found.get();

            byte[] query = SecretNotesMessages.encode(new SecretNotesMessages.ListNotes());
            byte[] expected = sdk.query(worker, caller, b.notes, query).answer();
            int listed = SecretNotesMessages.decodeNotes(expected).size();
            if (listed != noteCount) {
                throw new Bench.Failure("the answer lists " + listed + " notes, expected " + noteCount);
            }
            SecureRandom random = new SecureRandom();
            System.out.printf(Locale.ROOT, "the answer: %d notes, %d bytes; worker-0 at %s%n", listed, expected.length, worker.endpoint().orElseThrow());

            System.out.printf(Locale.ROOT, "in process, no HTTP: %,d + %,d warm-up queries ...%n", queries, warmup);
            long[] workerOnly = new long[warmup + queries];
            Phase inProcess = sequential("reference: in process, no HTTP (seal + WorkerHost.query + verify/open)", warmup, queries, i -> {
                QueryEnvelope.Pending p = QueryEnvelope.seal(b.genesis, id, worker.ecdhKey(), caller, b.notes, query, random);
                long s = System.nanoTime();
                byte[] response = host.query(p.request());
                workerOnly[i] = System.nanoTime() - s;
                check(p.open(response), expected);
            });
            long[] workerSorted = Bench.sorted(Arrays.copyOfRange(workerOnly, warmup, warmup + queries));

            System.out.printf(Locale.ROOT, "bare round trip over HTTP, 1 thread: %,d + %,d warm-up queries ...%n", queries, warmup);
            Phase bare = sequential("bare round trip over HTTP, 1 thread: ConfidentialClient.query(worker, …)", warmup, queries,
                    i -> checkAnswer(sdk.query(worker, caller, b.notes, query).answer(), expected));

            int sdkWarmup = Math.min(warmup, Math.max(100, warmup / 4));
            System.out.printf(Locale.ROOT, "full SDK call, 1 thread: %,d + %,d warm-up queries ...%n", sdkQueries, sdkWarmup);
            AtomicReference<WorkerId> answeredBy = new AtomicReference<>();
            Phase full = sequential("full SDK call, 1 thread: ConfidentialClient.query(caller, contract, …) incl. the chain check of its workers (reused for 2 s)",
                    sdkWarmup, sdkQueries, i -> {
                        ConfidentialClient.QueryAnswer a = sdk.query(caller, b.notes, query);
                        answeredBy.set(a.worker());
                        checkAnswer(a.answer(), expected);
                    });

            System.out.printf(Locale.ROOT, "bare round trip over HTTP, %d threads: %,d + %,d warm-up queries ...%n", threadCount, queries, warmup);
            Phase concurrent = concurrent(threadCount, warmup, queries, b, worker, caller, query, expected);

            System.out.println();
            System.out.println("| list-notes query to worker-0 (sim TEE, this process) | queries | p50 ms | p90 ms | p99 ms | max ms | queries/s | CPU cores |");
            System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
            inProcess.row();
            System.out.printf(Locale.ROOT, "| (of which WorkerHost.query alone: open, verify caller, run, seal, sign) | %,d | %.3f | %.3f | %.3f | %.3f | | |%n",
                    queries, Bench.quantileMillis(workerSorted, 0.5), Bench.quantileMillis(workerSorted, 0.9),
                    Bench.quantileMillis(workerSorted, 0.99), workerSorted[workerSorted.length - 1] / 1e6);
            bare.row();
            full.row();
            concurrent.row();
            System.out.println();
            System.out.println("| measure | value |");
            System.out.println("|---|---|");
            Bench.row("HTTP adds (bare round trip − in process), p50 / p99", Bench.f("%.3f ms / %.3f ms", bare.p(0.5) - inProcess.p(0.5),
                    bare.p(0.99) - inProcess.p(0.99)));
            Bench.row("ratio: in-process p50 ÷ HTTP round-trip p50", Bench.f("%.2f", inProcess.p(0.5) / bare.p(0.5)));
            Bench.row("node look-ups add (full SDK call − bare round trip), p50", Bench.f("%.3f ms (1 + %d GETs to the node — contract, its workers — once per 2 s registry TTL)",
                    full.p(0.5) - bare.p(0.5), b.net.workers().size()));
            Bench.row("full SDK call was answered by", b.name(b.net.workers().stream().filter(w -> w.id().equals(answeredBy.get())).findFirst().orElse(host)));
            Bench.row(Bench.f("concurrency: %d threads ÷ 1 thread, queries/s", threadCount), Bench.f("%.2f× on %d cores", concurrent.perSecond() / bare.perSecond(),
                    Runtime.getRuntime().availableProcessors()));
            boolean met = bare.p(0.5) <= GOAL_P50_MS && bare.p(0.99) <= GOAL_P99_MS;
            Bench.row(Bench.f("goal, bare round trip over HTTP, 1 thread: p50 ≤ %.0f ms, p99 ≤ %.0f ms", GOAL_P50_MS, GOAL_P99_MS),
                    Bench.f("p50 %.3f ms, p99 %.3f ms — goal %s", bare.p(0.5), bare.p(0.99), met ? "met" : "MISSED"));
            boolean fullMet = full.p(0.5) <= GOAL_P50_MS && full.p(0.99) <= GOAL_P99_MS;
            Bench.row("(info) the same goal for the full SDK call", Bench.f("p50 %.3f ms, p99 %.3f ms — %s", full.p(0.5), full.p(0.99),
                    fullMet ? "met" : "missed"));
            System.out.println();
            System.out.println("notes: one query = the client's HPKE seal (X25519 key generation + agreement, HKDF, AES-GCM) and Ed25519 signature,");
            System.out.println("  the worker's HPKE open, Ed25519 verification of the caller, the contract's answer, AES-GCM seal and Ed25519 signature,");
            System.out.println("  then the client's Ed25519 verification of the worker and AES-GCM open. Client, node, gatekeeper and both workers share");
            System.out.println("  this machine's cores; the chain keeps sealing (empty) blocks, which every worker syncs, during the measurement.");
            System.out.println("  CPU cores = process CPU time ÷ wall time of the phase (client included).");
        }
    }

    private static Phase concurrent(int threadCount, int warmup, int queries, BenchNetwork b, RegisteredWorker worker, SigningKey caller,
                                    byte[] query, byte[] expected) throws Exception {
        CyclicBarrier ready = new CyclicBarrier(threadCount + 1);
        CyclicBarrier done = new CyclicBarrier(threadCount + 1);
        long[][] lat = new long[threadCount][];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < threadCount; t++) {
            int index = t;
            int share = queries / threadCount + (t < queries % threadCount ? 1 : 0);
            threads.add(Thread.ofPlatform().name("bench-query-" + t).start(() -> {
                // One client per thread, as separate users would have.
                ConfidentialClient c = new ConfidentialClient(new CloisterClient(b.net.apiUrl()));
                long[] mine = new long[share];
                try {
                    for (int i = 0; i < warmup / threadCount; i++) {
                        c.query(worker, caller, b.notes, query);
                    }
                    ready.await();
                    for (int i = 0; i < share; i++) {
                        long s = System.nanoTime();
                        checkAnswer(c.query(worker, caller, b.notes, query).answer(), expected);
                        mine[i] = System.nanoTime() - s;
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    ready.reset();
                } finally {
                    lat[index] = mine;
                    try {
                        done.await();
                    } catch (Exception e) {
                        // the main thread is gone: nothing to report to
                    }
                }
            }));
        }
        try {
            ready.await();
        } catch (BrokenBarrierException e) {
            // a thread failed during its warm-up: reported below
        }
        long cpu0 = Bench.processCpuNanos();
        long t0 = System.nanoTime();
        done.await();
        long wall = System.nanoTime() - t0;
        long cpu = Bench.processCpuNanos() - cpu0;
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() != null) {
            Throwable e = failure.get();
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new Bench.Failure("a query thread failed: " + e);
        }
        long[] all = Arrays.stream(lat).flatMapToLong(Arrays::stream).toArray();
        return new Phase(Bench.f("bare round trip over HTTP, %d threads (1 client each)", threadCount), Bench.sorted(all), wall, cpu);
    }

    private static void check(QueryEnvelope.Result r, byte[] expected) {
        if (!(r instanceof QueryEnvelope.Result.Answer a)) {
            throw new Bench.Failure("the worker did not answer the query: " + r);
        }
        checkAnswer(a.answer(), expected);
    }

    private static void checkAnswer(byte[] answer, byte[] expected) {
        if (!Arrays.equals(answer, expected)) {
            throw new Bench.Failure("an answer differs from the first one (" + answer.length + " bytes, expected " + expected.length + ")");
        }
    }

    private interface Condition {
        boolean holds();
    }

    private static void awaitUntil(String what, Condition c) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!c.holds()) {
            if (System.nanoTime() > deadline) {
                throw new Bench.Failure("gave up waiting 60 s for " + what);
            }
            Thread.sleep(20);
        }
    }
}
