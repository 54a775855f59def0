package cloister.bench;

import cloister.chain.ChainConfig;
import cloister.common.Hash;
import cloister.common.Tokens;
import cloister.crypto.DevKeys;
import cloister.crypto.SigningKey;
import cloister.node.devnet.LocalNetwork;
import cloister.proto.ContractId;
import cloister.proto.GovernanceCall;
import cloister.proto.SudoCall;
import cloister.proto.Transaction;
import cloister.sdk.CloisterClient;
import cloister.sdk.SubmitOutcome;
import cloister.worker.host.WorkerHost;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A whole dev network in this process for a benchmark, as {@code cloister devnet} runs it ({@link LocalNetwork}:
 * chain with dev sealing, HTTP API on a free loopback port, sim-TEE gatekeeper and the workers of cluster 0 running
 * {@code secret-notes}), in a temp dir deleted on {@link #close}.
 */
final class BenchNetwork implements AutoCloseable {
    final Path dir;
    final LocalNetwork net;
    final ContractId notes;
    final CloisterClient client;
    final Hash genesis;
    final long fee;

    private BenchNetwork(Path dir, LocalNetwork net, ContractId notes) {
        this.dir = dir;
        this.net = net;
        this.notes = notes;
        this.client = new CloisterClient(net.apiUrl());
        this.genesis = client.genesisHash();
        this.fee = client.chainInfo().minimumFee();
    }

    /** Starts the network and runs its governance set-up (allow the build, gatekeeper, cluster 0, secret-notes). */
    static BenchNetwork start(long blockTimeMillis, int workers, int poolCapacity) throws Exception {
        Path dir = Bench.tempDir("net");
        LocalNetwork net = null;
        try {
            ChainConfig chain = new ChainConfig(dir, blockTimeMillis, false, poolCapacity, 20_000, false);
            LocalNetwork.Options options = LocalNetwork.Options.defaults(chain).withApi("127.0.0.1", 0).withWorkers(1, workers).withStorage(0, false, 10);
            long t0 = System.nanoTime();
            net = LocalNetwork.start(options);
            ContractId notes = net.setUp(line -> System.out.println("  set-up: " + line), options.setupTimeout());
            System.out.printf(Locale.ROOT, "  set-up: done in %.1f s (1 gatekeeper, %d workers in cluster 0, blocks every %d ms)%n",
                    (System.nanoTime() - t0) / 1e9, workers, blockTimeMillis);
            return new BenchNetwork(dir, net, notes);
        } catch (Exception | Error e) {
            if (net != null) {
                net.close();
            }
            Bench.deleteRecursively(dir);
            throw e;
        }
    }

    /** Gives each key {@code tokens} by sudo {@code SetBalance} from alice, and waits until the last is in a block. */
    void fund(List<SigningKey> keys, long tokens, int batch) {
        SigningKey alice = DevKeys.get("alice");
        long nonce = client.account(alice.account()).nextNonce();
        List<Transaction> txs = new ArrayList<>();
        for (SigningKey k : keys) {
            txs.add(Transaction.sign(genesis, alice, nonce++, fee, new SudoCall.Sudo(new GovernanceCall.SetBalance(k.account(), Tokens.of(tokens)))));
        }
        for (int i = 0; i < txs.size(); i += batch) {
            for (SubmitOutcome o : client.submitAll(txs.subList(i, Math.min(txs.size(), i + batch)))) {
                if (!o.accepted()) {
                    throw new Bench.Failure("funding refused: " + o.code() + ": " + o.message());
                }
            }
        }
        client.waitForInclusion(txs.get(txs.size() - 1).hash(), Duration.ofSeconds(60));
    }

    /** The name a worker host has in this network: {@code gatekeeper-0}, {@code worker-1}. */
    String name(WorkerHost host) {
        int g = net.gatekeepers().indexOf(host);
        return g >= 0 ? "gatekeeper-" + g : "worker-" + net.workers().indexOf(host);
    }

    /** The sync thread name prefix of each worker host ({@code worker-sync-<first 8 hex of its id>}). */
    String syncThreadOwner(String threadName) {
        for (WorkerHost h : net.gatekeepers()) {
            if (threadName.equals("worker-sync-" + h.id().hex().substring(0, 8))) {
                return name(h);
            }
        }
        for (WorkerHost h : net.workers()) {
            if (threadName.equals("worker-sync-" + h.id().hex().substring(0, 8))) {
                return name(h);
            }
        }
        return null;
    }

    @Override
    public void close() {
        try {
            net.close();
        } finally {
            Bench.deleteRecursively(dir);
        }
    }
}
