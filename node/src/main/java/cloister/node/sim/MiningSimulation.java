package cloister.node.sim;

import cloister.chain.Chain;
import cloister.chain.ChainConfig;
import cloister.chain.Genesis;
import cloister.chain.ImportResult;
import cloister.chain.SubmitResult;
import cloister.chain.runtime.balances.Balances;
import cloister.chain.runtime.computation.Computation;
import cloister.chain.runtime.computation.Miner;
import cloister.chain.runtime.computation.MiningConfig;
import cloister.chain.runtime.computation.MiningState;
import cloister.chain.runtime.registry.Registry;
import cloister.chain.runtime.stakepool.StakePools;
import cloister.chain.store.ChainStore;
import cloister.chain.store.StateReader;
import cloister.common.Hash;
import cloister.common.Tokens;
import cloister.crypto.DevKeys;
import cloister.crypto.Sha256;
import cloister.crypto.SigningKey;
import cloister.proto.Block;
import cloister.proto.BlockHeader;
import cloister.proto.Call;
import cloister.proto.Event;
import cloister.proto.EventRecord;
import cloister.proto.InboundMessage;
import cloister.proto.MiningCall;
import cloister.proto.RegistryCall;
import cloister.proto.Transaction;
import cloister.proto.WorkerId;
import cloister.proto.WorkerInfo;
import cloister.tee.Evidence;
import cloister.tee.Measurement;
import cloister.tee.sim.SimAttestationRoot;
import cloister.tee.sim.SimMachine;
import cloister.tee.sim.SimPlatform;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;

/**
 * A mining network in one process, for {@code cloister sim mining} and {@code ./cloister bench mining}. Nothing of the
 * chain is simulated: a real {@link Chain} on a RocksDB store (in a directory the caller gives) proposes and imports
 * every block, applying real signed transactions with the real runtime modules — registry, computation, stakepool,
 * balances — over real state. What is simulated is the outside world:
 * <ul>
 *   <li>the workers: each has its own Ed25519 identity and registers with a quote of the {@code sim} TEE platform
 *   (signed by a sim attestation root that this network's genesis trusts — a simulation of attestation, not a TEE);
 *   it answers the chain's worker messages of each block ({@code BenchmarkRequested}, {@code HeartbeatChallenge},
 *   {@code WorkerUnresponsive}) with signed messages in sequence, relayed by its operator in the next block. Fast and
 *   slow machines report different benchmark rates (so different P); the offline ones stop answering at a given
 *   block (and optionally come back);</li>
 *   <li>the operators: one account per stake pool creates the pool, registers its workers and adds them, delegates
 *   half of the stake they need (a delegator account the other half) and starts each worker with the minimum stake
 *   k·√P read from chain state;</li>
 *   <li>the clock: block {@code h} is stamped genesis time + h × the network's block interval.</li>
 * </ul>
 * The worker and operator keys, the population (fast, offline) and the benchmark rates follow {@link Options#seed};
 * the sim quotes carry randomized ECDSA signatures, so block hashes — hence the challenge draws — differ between
 * runs with the same seed and the figures vary slightly. Single-threaded; {@link #close} closes the store.
 */
public final class MiningSimulation implements AutoCloseable {
    /** The network whose mining constants ({@link MiningConfig}) and block interval the simulation uses. */
    public enum Network {
        DEVNET(1_000), PRODUCTION(12_000);

        private final long blockMillis;

        Network(long blockMillis) {
            this.blockMillis = blockMillis;
        }

        public MiningConfig mining() {
            return this == DEVNET ? MiningConfig.devnet() : MiningConfig.production();
        }

        public long blockMillis() {
            return blockMillis;
        }

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * What to simulate.
     *
     * @param workers         how many workers
     * @param pools           how many stake pools (one operator each; worker i joins pool i mod pools)
     * @param offlineFraction the share of workers that stop answering
     * @param offlineAfter    after how many blocks of computing they stop
     * @param rejoinAfter     after how many blocks of computing they answer again (-1: never)
     * @param fastFraction    the share of workers on fast machines, in both the online and the offline group
     * @param seed            keys, population and benchmark rates
     */
    public record Options(int workers, int pools, double offlineFraction, long offlineAfter, long rejoinAfter, double fastFraction,
                          long seed, Network network) {
        public Options {
            if (workers < 1 || workers > 100_000) {
                throw new IllegalArgumentException("--workers must be 1..100000, got " + workers);
            }
            if (pools < 1 || pools > workers || (workers + pools - 1) / pools > StakePools.MAX_WORKERS) {
                throw new IllegalArgumentException("--pools must be 1.." + workers + " with at most " + StakePools.MAX_WORKERS
                        + " workers a pool, got " + pools);
            }
            if (!(offlineFraction >= 0 && offlineFraction <= 1) || !(fastFraction >= 0 && fastFraction <= 1)) {
                throw new IllegalArgumentException("fractions are 0..1");
            }
            if (offlineAfter < 0 || rejoinAfter < -1 || (rejoinAfter >= 0 && rejoinAfter <= offlineAfter)) {
                throw new IllegalArgumentException("offline after must be >= 0 and a rejoin comes after it");
            }
            java.util.Objects.requireNonNull(network, "network");
        }

        /** One pool per 50 workers (at least one). */
        public static int defaultPools(int workers) {
            return Math.max(1, (workers + 49) / 50);
        }
    }

    /** Called between proposing a block and importing it, while the chain's state is still the parent's. */
    public interface ProposalObserver {
        void proposed(Block block, StateReader parentState, Hash parentHash);
    }

    /** What the simulation tallied from the chain's events for one worker. */
    static final class Tally {
        long rewardToPool;
        long rewardToTreasury;
        long rewardEvents;
        long unresponsiveEvents;
        long recoveredEvents;
        long benchmarked;
        int score;
    }

    static final long GENESIS_MILLIS = 1_700_000_000_000L;
    static final long FEE = Tokens.UNITS_PER_TOKEN / 1000;
    /** Commission of every pool: 10 % (millionths). */
    static final int COMMISSION = 100_000;
    /** Benchmark rates (iterations/s): fast machines score about P = 5400, slow ones about 1800 (6 points per it/s). */
    static final long FAST_IPS = 900;
    static final long SLOW_IPS = 300;
    private static final SigningKey AUTHORITY = DevKeys.get("alice");
    private static final Measurement BUILD = SimPlatform.measure(Sha256.digest("cloister mining simulation".getBytes(StandardCharsets.US_ASCII)),
            "sim-mining");
    private static final int MAX_SETUP_BLOCKS = 1_000;

    private final Options options;
    private final ChainStore store;
    private final Chain chain;
    private final Hash genesis;
    private final MiningConfig config;
    private final SecureRandom keys;
    private final Random population;
    private final SimAttestationRoot root;
    private final SigningKey[] operators;
    private final long[] operatorNonce;
    private final SigningKey delegator;
    private long delegatorNonce;
    private final long[] poolIds;
    private final boolean[] fast;
    private final boolean[] offline;
    private final List<SimulatedMiner> miners = new ArrayList<>();
    private final Map<WorkerId, SimulatedMiner> byId = new HashMap<>();
    private final Map<WorkerId, Tally> tallies = new HashMap<>();
    private final TreeMap<Long, List<SimulatedMiner>> benchmarksDue = new TreeMap<>();
    private final List<String> failures = new ArrayList<>();
    /** The answers to the block just imported, signed and submitted at the end of {@link #react}. */
    private final List<SimulatedMiner.Outgoing> outgoing = new ArrayList<>();
    private final long genesisIssuance;
    private long failedTxs;
    private long refusedMessages;
    private long benchmarked;
    private long startHeight = -1;
    private long offlineHeight = Long.MAX_VALUE;
    private long rejoinHeight = Long.MAX_VALUE;
    private long setupNanos;
    private long proposeNanos;
    private long importNanos;
    private long reactNanos;
    private long runBlocks;
    private long runNanos;
    private long runCpuNanos;

    private MiningSimulation(Options options, ChainStore store, Chain chain, SecureRandom keys, SimAttestationRoot root,
                             SigningKey[] operators, SigningKey delegator) {
        this.options = options;
        this.store = store;
        this.chain = chain;
        this.genesis = chain.info().genesisHash();
        this.config = Computation.config(chain.state());
        this.keys = keys;
        this.population = new Random(options.seed());
        this.root = root;
        this.operators = operators;
        this.operatorNonce = new long[operators.length];
        this.delegator = delegator;
        this.poolIds = new long[operators.length];
        this.genesisIssuance = Balances.totalIssuance(chain.state());
        int n = options.workers();
        int offlineCount = (int) Math.round(n * options.offlineFraction());
        fast = new boolean[n];
        offline = new boolean[n];
        List<Integer> order = shuffled(n);
        for (int i = 0; i < offlineCount; i++) {
            offline[order.get(i)] = true;
        }
        // Fast machines in the same proportion among the online and the offline workers.
        List<Integer> on = new ArrayList<>();
        List<Integer> off = new ArrayList<>();
        for (int i : order) {
            (offline[i] ? off : on).add(i);
        }
        for (List<Integer> group : List.of(on, off)) {
            long fastCount = Math.round(group.size() * options.fastFraction());
            for (int i = 0; i < fastCount; i++) {
                fast[group.get(i)] = true;
            }
        }
    }

    private List<Integer> shuffled(int n) {
        List<Integer> order = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        Collections.shuffle(order, population);
        return order;
    }

    /**
     * Creates the network in {@code dir} (a RocksDB store; the directory must be empty or absent): a genesis trusting
     * a fresh sim attestation root and one build, the chosen network's mining constants, and balances for the pool
     * operators and the delegator.
     */
    public static MiningSimulation open(Path dir, Options options) throws IOException {
        SecureRandom keys;
        try {
            keys = SecureRandom.getInstance("SHA1PRNG");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA1PRNG", e);
        }
        keys.setSeed(ByteBuffer.allocate(8).putLong(options.seed()).array());
        SimAttestationRoot root = SimAttestationRoot.generate("cloister mining simulation (sim TEE, not hardware)", keys);
        int perPool = (options.workers() + options.pools() - 1) / options.pools();
        SigningKey[] operators = new SigningKey[options.pools()];
        List<Genesis.Allocation> allocations = new ArrayList<>();
        for (int i = 0; i < operators.length; i++) {
            operators[i] = SigningKey.generate(keys);
            allocations.add(new Genesis.Allocation(operators[i].account(), Tokens.of(1_000 + 5_000L * perPool)));
        }
        SigningKey delegator = SigningKey.generate(keys);
        allocations.add(new Genesis.Allocation(delegator.account(), Tokens.of(1_000 + 5_000L * options.workers())));
        Genesis.Spec spec = new Genesis.Spec("cloister-mining-sim", GENESIS_MILLIS, allocations, AUTHORITY.account(),
                List.of(AUTHORITY.account()), FEE, new Genesis.TeeTrust(Optional.of(root.certificate()), List.of(BUILD),
                Registry.AttestationPolicy.DEV), options.network().mining());
        ChainStore store = ChainStore.open(dir, false);
        try {
            if (store.head().isPresent()) {
                throw new IOException(dir + " already holds a chain: the simulation needs an empty directory");
            }
            Genesis.initialize(store, spec);
            // Pool and block limits sized for the set-up blocks: every registration in one block if it fits.
            Chain chain = new Chain(store, new ChainConfig(dir, 600_000, false, 200_000, 50_000, false), "dev");
            return new MiningSimulation(options, store, chain, keys, root, operators, delegator);
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    public Options options() {
        return options;
    }

    public Chain chain() {
        return chain;
    }

    public MiningConfig config() {
        return config;
    }

    /** The height computing started at (-1 before {@link #startComputing}). */
    public long startHeight() {
        return startHeight;
    }

    /** Wall time spent so far proposing blocks (beginBlock, the transactions, the state root), since computing started. */
    public long proposeNanos() {
        return proposeNanos;
    }

    /** Wall time spent so far importing the proposed blocks (the RocksDB commit), since computing started. */
    public long importNanos() {
        return importNanos;
    }

    /** The timestamp of block {@code height}. */
    public long timestamp(long height) {
        return GENESIS_MILLIS + height * options.network().blockMillis();
    }

    // ---------------------------------------------------------------- set-up

    /**
     * Set-up part 1: the operators create their pools; every worker is registered with its sim quote and added to its
     * operator's pool; blocks follow until every worker has answered its benchmark request.
     */
    public void registerWorkers() {
        long t0 = System.nanoTime();
        if (!miners.isEmpty()) {
            throw new IllegalStateException("already registered");
        }
        for (int p = 0; p < operators.length; p++) {
            submit(operatorTx(p, new MiningCall.CreatePool(COMMISSION)));
        }
        sealUntilPoolEmpty();
        StateReader state = chain.state();
        for (int p = 0; p < operators.length; p++) {
            List<Long> owned = StakePools.poolsOwnedBy(state, operators[p].account());
            if (owned.size() != 1) {
                throw new IllegalStateException("operator " + p + " owns " + owned.size() + " pools, expected 1: " + failures);
            }
            poolIds[p] = owned.get(0);
        }
        long quoteTime = timestamp(chain.head().height() + 1);
        SimMachine machine = SimMachine.ephemeral(keys);
        SimPlatform platform = new SimPlatform(machine, root, BUILD, () -> quoteTime, keys);
        for (int i = 0; i < options.workers(); i++) {
            int p = i % operators.length;
            SigningKey identity = SigningKey.generate(keys);
            byte[] ecdh = new byte[32];
            keys.nextBytes(ecdh);
            WorkerInfo info = SimulatedMiner.info(identity, ecdh, genesis, operators[p]);
            Evidence evidence = platform.quote(info.reportData());
            long ips = (fast[i] ? FAST_IPS : SLOW_IPS) * (950 + population.nextInt(101)) / 1000;
            SimulatedMiner m = new SimulatedMiner(i, identity, info, evidence, genesis, p, fast[i], offline[i], ips);
            miners.add(m);
            byId.put(m.id(), m);
            tallies.put(m.id(), new Tally());
            submit(operatorTx(p, m.registration()));
            submit(operatorTx(p, new MiningCall.AddWorker(poolIds[p], m.id())));
        }
        int blocks = 0;
        while (benchmarked < miners.size() || chain.pooled() > 0) {
            if (++blocks > MAX_SETUP_BLOCKS) {
                throw new IllegalStateException("after " + MAX_SETUP_BLOCKS + " blocks only " + benchmarked + " of " + miners.size()
                        + " workers benchmarked; failures: " + firstFailures());
            }
            step(null);
        }
        requireNoFailures("registration");
        setupNanos += System.nanoTime() - t0;
    }

    /**
     * Set-up part 2: each pool gets the stake its workers need (k·√P each, from the P on chain) — half from its
     * operator, half from the delegator — and the operator starts every worker with exactly that stake.
     */
    public void startComputing() {
        long t0 = System.nanoTime();
        if (miners.isEmpty() || startHeight >= 0) {
            throw new IllegalStateException("register the workers first, and start once");
        }
        StateReader state = chain.state();
        long[] stake = new long[miners.size()];
        long[] need = new long[operators.length];
        for (SimulatedMiner m : miners) {
            Miner record = Computation.miner(state, m.id()).orElseThrow();
            stake[m.index] = Computation.minimumStake(config, record.score());
            need[m.pool] += stake[m.index];
        }
        for (int p = 0; p < operators.length; p++) {
            long own = need[p] / 2;
            if (own > 0) {
                submit(operatorTx(p, new MiningCall.Delegate(poolIds[p], own)));
            }
            submit(Transaction.sign(genesis, delegator, delegatorNonce++, FEE, new MiningCall.Delegate(poolIds[p], need[p] - own)));
        }
        sealUntilPoolEmpty();
        for (SimulatedMiner m : miners) {
            submit(operatorTx(m.pool, new MiningCall.StartComputing(m.id(), stake[m.index])));
        }
        sealUntilPoolEmpty();
        requireNoFailures("start");
        state = chain.state();
        for (SimulatedMiner m : miners) {
            MiningState s = Computation.miner(state, m.id()).orElseThrow().state();
            if (s != MiningState.IDLE) {
                throw new IllegalStateException("worker " + m.index + " is " + s.word() + " after starting");
            }
        }
        startHeight = chain.head().height();
        offlineHeight = startHeight + options.offlineAfter();
        rejoinHeight = options.rejoinAfter() < 0 ? Long.MAX_VALUE : startHeight + options.rejoinAfter();
        setupNanos += System.nanoTime() - t0;
        proposeNanos = 0; // the per-block figures are for the blocks of computing
        importNanos = 0;
        reactNanos = 0;
    }

    /** Both set-up parts. */
    public void setUp() {
        registerWorkers();
        startComputing();
    }

    private void sealUntilPoolEmpty() {
        int blocks = 0;
        do {
            if (++blocks > MAX_SETUP_BLOCKS) {
                throw new IllegalStateException("the pool does not drain: " + chain.pooled() + " transactions left");
            }
            step(null);
        } while (chain.pooled() > 0);
    }

    private void requireNoFailures(String phase) {
        if (failedTxs > 0 || refusedMessages > 0) {
            throw new IllegalStateException(phase + ": " + failedTxs + " failed transactions, " + refusedMessages
                    + " refused worker messages: " + firstFailures());
        }
    }

    private List<String> firstFailures() {
        return failures.subList(0, Math.min(5, failures.size()));
    }

    // ---------------------------------------------------------------- blocks

    /** Runs {@code blocks} blocks. */
    public void run(long blocks) {
        run(blocks, null);
    }

    public void run(long blocks, ProposalObserver observer) {
        long t0 = System.nanoTime();
        long cpu0 = processCpuNanos();
        for (long i = 0; i < blocks; i++) {
            step(observer);
        }
        runNanos += System.nanoTime() - t0;
        runCpuNanos += processCpuNanos() - cpu0;
        runBlocks += blocks;
    }

    /**
     * One block: the dev authority proposes it (with every pooled answer from the last block) and imports it; then the
     * workers read its events and worker messages and the online ones answer (their operators submit the answers).
     */
    public Block step(ProposalObserver observer) {
        long t0 = System.nanoTime();
        BlockHeader parent = chain.head();
        Block block = chain.propose(timestamp(parent.height() + 1), AUTHORITY);
        long t1 = System.nanoTime();
        if (observer != null) {
            observer.proposed(block, chain.state(), parent.hash());
        }
        long t2 = System.nanoTime();
        ImportResult r = chain.importBlock(block);
        if (!(r instanceof ImportResult.Imported)) {
            throw new IllegalStateException("the chain refused its own block " + block.height() + ": " + r);
        }
        long t3 = System.nanoTime();
        react(block.height());
        long t4 = System.nanoTime();
        proposeNanos += t1 - t0;
        importNanos += t3 - t2;
        reactNanos += t4 - t3;
        return block;
    }

    private boolean answering(SimulatedMiner m, long height) {
        return !m.offline || height < offlineHeight || height >= rejoinHeight;
    }

    private void react(long h) {
        for (EventRecord e : chain.events(h).orElseThrow()) {
            switch (e.event()) {
                case Event.MiningReward r -> {
                    Tally t = tally(r.worker());
                    t.rewardToPool += r.toPool();
                    t.rewardToTreasury += r.toTreasury();
                    t.rewardEvents++;
                }
                case Event.WorkerUnresponsive u -> tally(u.worker()).unresponsiveEvents++;
                case Event.WorkerRecovered u -> tally(u.worker()).recoveredEvents++;
                case Event.HeartbeatChallenged c -> byId.get(c.worker()).challenges++;
                case Event.WorkerBenchmarked b -> {
                    Tally t = tally(b.worker());
                    t.benchmarked++;
                    t.score = b.score();
                    benchmarked++;
                }
                case Event.TxFailed f -> {
                    failedTxs++;
                    failures.add("block " + h + ": transaction failed: " + f.reason() + ": " + f.message());
                }
                case Event.WorkerMessageRefused f -> {
                    refusedMessages++;
                    failures.add("block " + h + ": message " + f.seq() + " of worker " + byId.get(f.worker()).index + " refused: "
                            + f.reason() + ": " + f.message());
                }
                default -> { }
            }
        }
        long next = timestamp(h + 1);
        for (InboundMessage message : chain.workerMessages(h).orElseThrow()) {
            switch (message) {
                case InboundMessage.BenchmarkRequested b -> {
                    SimulatedMiner m = byId.get(b.worker());
                    m.benchmarkRequest = h;
                    // Run the workload for the blocks asked and report so the answer lands in block untilHeight.
                    m.benchmarkDue = Math.max(h, b.untilHeight() - 1);
                    benchmarksDue.computeIfAbsent(m.benchmarkDue, k -> new ArrayList<>()).add(m);
                    if (m.registeredAtMillis < 0) {
                        m.registeredAtMillis = timestamp(h);
                    }
                }
                case InboundMessage.HeartbeatChallenge c -> {
                    SimulatedMiner m = byId.get(c.worker());
                    m.challengeHeight = h;
                    m.challengeDeadline = c.deadline();
                    if (answering(m, h)) {
                        answerChallenge(m, next);
                    }
                }
                case InboundMessage.WorkerUnresponsive u -> {
                    SimulatedMiner m = byId.get(u.worker());
                    m.challengeHeight = -1;
                    m.unresponsiveAt = h;
                    if (answering(m, h)) {
                        answerUnresponsive(m, next);
                    }
                }
                default -> { }
            }
        }
        while (!benchmarksDue.isEmpty() && benchmarksDue.firstKey() <= h) {
            for (SimulatedMiner m : benchmarksDue.pollFirstEntry().getValue()) {
                if (m.benchmarkRequest >= 0 && answering(m, h)) {
                    outgoing.add(m.benchmarkReport(timestamp(m.benchmarkRequest), next));
                }
            }
        }
        if (h == rejoinHeight) {
            for (SimulatedMiner m : miners) {
                if (m.offline && m.unresponsiveAt >= 0) {
                    answerUnresponsive(m, next);
                } else if (m.offline && m.challengeHeight >= 0 && m.challengeDeadline > h) {
                    answerChallenge(m, next);
                }
            }
        }
        relay();
    }

    /**
     * Each worker signs its answer (in parallel: they are separate machines), then its operator relays it in a signed
     * transaction; the transactions are signed with nonces in order and submitted in order, so blocks do not depend
     * on thread timing.
     */
    private void relay() {
        if (outgoing.isEmpty()) {
            return;
        }
        long[] nonces = new long[outgoing.size()];
        for (int i = 0; i < nonces.length; i++) {
            nonces[i] = operatorNonce[outgoing.get(i).from().pool]++;
        }
        Transaction[] txs = new Transaction[nonces.length];
        java.util.stream.IntStream.range(0, txs.length).parallel().forEach(i -> {
            SimulatedMiner.Outgoing o = outgoing.get(i);
            txs[i] = Transaction.sign(genesis, operators[o.from().pool], nonces[i], FEE, o.sign());
        });
        outgoing.clear();
        List<byte[]> encoded = new ArrayList<>(txs.length);
        for (Transaction tx : txs) {
            encoded.add(tx.encode());
        }
        List<SubmitResult> results = chain.submitAll(encoded);
        for (int i = 0; i < txs.length; i++) {
            requireAccepted(txs[i], results.get(i));
        }
    }

    private void answerChallenge(SimulatedMiner m, long nowMillis) {
        long challenge = m.challengeHeight;
        m.challengeHeight = -1;
        outgoing.add(m.heartbeat(challenge, nowMillis, population.nextInt(41) - 20));
    }

    private void answerUnresponsive(SimulatedMiner m, long nowMillis) {
        long at = m.unresponsiveAt;
        m.unresponsiveAt = -1;
        outgoing.add(m.heartbeat(at, nowMillis, population.nextInt(41) - 20));
    }

    private Tally tally(WorkerId w) {
        return tallies.get(w);
    }

    private Transaction operatorTx(int pool, Call call) {
        return Transaction.sign(genesis, operators[pool], operatorNonce[pool]++, FEE, call);
    }

    private void submit(Transaction tx) {
        requireAccepted(tx, chain.submit(tx.encode()));
    }

    private static void requireAccepted(Transaction tx, SubmitResult r) {
        if (r instanceof SubmitResult.Rejected rejected) {
            throw new IllegalStateException("the chain's pool refused a " + tx.call().name() + " transaction: " + rejected.reason().code()
                    + ": " + rejected.message());
        }
    }

    // ---------------------------------------------------------------- the report

    /** The figures so far, read from chain state and the tallied events. */
    public MiningReport report() {
        StateReader state = chain.state();
        long height = chain.head().height();
        Computation.Totals totals = Computation.totals(state);
        Map<String, List<SimulatedMiner>> groups = new LinkedHashMap<>();
        for (String g : List.of("online-fast", "online-slow", "offline-fast", "offline-slow")) {
            groups.put(g, new ArrayList<>());
        }
        for (SimulatedMiner m : miners) {
            groups.get(m.group()).add(m);
        }
        BigInteger owed = BigInteger.ZERO;
        long eventToPool = 0;
        long eventToTreasury = 0;
        long recordRewards = 0;
        long overpaid = 0;
        List<MiningReport.Group> rows = new ArrayList<>();
        for (Map.Entry<String, List<SimulatedMiner>> g : groups.entrySet()) {
            BigInteger score = BigInteger.ZERO;
            BigInteger vStart = BigInteger.ZERO;
            BigInteger vEnd = BigInteger.ZERO;
            BigInteger rewards = BigInteger.ZERO;
            long heartbeats = 0;
            long challenges = 0;
            Map<MiningState, Integer> states = new EnumMap<>(MiningState.class);
            for (SimulatedMiner m : g.getValue()) {
                Miner r = Computation.miner(state, m.id()).orElseThrow();
                Tally t = tally(m.id());
                score = score.add(BigInteger.valueOf(r.score()));
                vStart = vStart.add(BigInteger.valueOf(r.vInit()));
                vEnd = vEnd.add(BigInteger.valueOf(r.valueAt(config, height)));
                rewards = rewards.add(BigInteger.valueOf(r.rewards()));
                heartbeats += r.heartbeats();
                challenges += m.challenges;
                states.merge(r.state(), 1, Integer::sum);
                owed = owed.add(BigInteger.valueOf(r.pending()).multiply(Computation.SCALE)).add(BigInteger.valueOf(r.frac()))
                        .add(BigInteger.valueOf(r.share()).multiply(totals.acc().subtract(r.accAt())));
                eventToPool += t.rewardToPool;
                eventToTreasury += t.rewardToTreasury;
                recordRewards += r.rewards();
                if (t.rewardToPool != r.rewards() || t.rewardEvents > r.heartbeats()) {
                    overpaid++;
                }
            }
            int n = g.getValue().size();
            rows.add(new MiningReport.Group(g.getKey(), n, mean(score, n), mean(vStart, n), mean(vEnd, n), mean(rewards, n),
                    n == 0 ? 0 : (double) heartbeats / n, n == 0 ? 0 : (double) challenges / n, states));
        }
        BigInteger issued = BigInteger.valueOf(totals.issued()).multiply(Computation.SCALE);
        BigInteger accounted = BigInteger.valueOf(totals.paid()).multiply(Computation.SCALE).add(totals.carry()).add(owed);
        long poolMismatches = 0;
        for (long id : poolIds) {
            StakePools.Pool p = StakePools.pool(state, id).orElseThrow();
            if (Balances.account(state, p.account()).balance() != p.totalStake()) {
                poolMismatches++;
            }
        }
        long minted = Balances.totalIssuance(state) - genesisIssuance;
        return new MiningReport(options, startHeight, height, runBlocks, rows, totals.issued(), totals.paid(), eventToPool, eventToTreasury,
                recordRewards, issued, accounted, minted, poolMismatches, overpaid, failedTxs, refusedMessages, List.copyOf(firstFailures()),
                setupNanos, runNanos, runCpuNanos, proposeNanos, importNanos, reactNanos, options.network().blockMillis());
    }

    /** CPU time of the whole process (every thread, GC and RocksDB's included): the machine may be shared. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static long mean(BigInteger sum, int n) {
        return n == 0 ? 0 : sum.divide(BigInteger.valueOf(n)).longValueExact();
    }

    @Override
    public void close() {
        store.close();
    }
}
