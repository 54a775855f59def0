package cloister.node.devnet;

import cloister.chain.ChainConfig;
import cloister.chain.ChainNode;
import cloister.chain.Genesis;
import cloister.chain.runtime.registry.Registry;
import cloister.crypto.DevKeys;
import cloister.crypto.SigningKey;
import cloister.node.api.ApiServer;
import cloister.node.tee.WorkerBuild;
import cloister.proto.ContractId;
import cloister.proto.WorkerId;
import cloister.tee.Measurement;
import cloister.tee.sim.SimAttestationRoot;
import cloister.tee.sim.SimMachine;
import cloister.tee.sim.SimPlatform;
import cloister.worker.host.InProcessChainSource;
import cloister.worker.host.WorkerConfig;
import cloister.worker.host.WorkerHost;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A whole network in one process, as {@code cloister devnet} runs it: the chain (dev sealing), the HTTP API, and
 * workers on the {@code sim} TEE — gatekeepers and the compute workers of cluster 0, which runs {@code secret-notes}.
 *
 * <p>Files under the data directory: {@code chain/} (RocksDB), {@code sim-tee/root/} (the network's simulated
 * attestation root: its private key is what makes sim quotes forgeable by whoever can read it),
 * {@code sim-tee/machine/} (the simulated platform secret) and {@code workers/NAME/} (each worker's sealed blobs).
 */
public final class LocalNetwork implements AutoCloseable {
    /** The worker runtime version every devnet worker reports (part of the sim measurement). */
    public static final String RUNTIME_VERSION = "0.1.0";

    /** What to start. */
    public record Options(ChainConfig chain, String apiHost, int apiPort, int gatekeepers, int workers, Duration setupTimeout) {
        public Options {
            if (gatekeepers < 1 && workers > 0) {
                throw new IllegalArgumentException("workers need a gatekeeper for their keys: --gatekeepers must be at least 1");
            }
            if (gatekeepers < 0 || workers < 0 || gatekeepers + workers > 16) {
                throw new IllegalArgumentException("--gatekeepers and --workers: 0..16 in all");
            }
        }

        public static Options defaults(ChainConfig chain) {
            return new Options(chain, ApiServer.DEFAULT_HOST, ApiServer.DEFAULT_PORT, 1, 2, Duration.ofSeconds(120));
        }

        public Options withApi(String host, int port) {
            return new Options(chain, host, port, gatekeepers, workers, setupTimeout);
        }

        public Options withWorkers(int gatekeepers, int workers) {
            return new Options(chain, apiHost, apiPort, gatekeepers, workers, setupTimeout);
        }
    }

    private final ChainNode node;
    private final ApiServer api;
    private final List<WorkerHost> gatekeepers;
    private final List<WorkerHost> workers;
    private final Measurement build;
    private final SimAttestationRoot root;
    private ContractId notes;

    private LocalNetwork(ChainNode node, ApiServer api, List<WorkerHost> gatekeepers, List<WorkerHost> workers,
                         Measurement build, SimAttestationRoot root) {
        this.node = node;
        this.api = api;
        this.gatekeepers = gatekeepers;
        this.workers = workers;
        this.build = build;
        this.root = root;
    }

    /**
     * Starts the chain, the API and the workers. Call {@link #setUp} next to run governance (gatekeepers, cluster,
     * contract).
     */
    public static LocalNetwork start(Options options) throws IOException {
        Path dir = options.chain().dataDir();
        SimAttestationRoot root = SimAttestationRoot.loadOrCreate(dir.resolve("sim-tee").resolve("root"),
                "cloister devnet sim attestation root (NO hardware protection)");
        Measurement build = WorkerBuild.measurement(WorkerHost.class, RUNTIME_VERSION);
        Genesis.Spec genesis = Genesis.dev().withTee(new Genesis.TeeTrust(Optional.of(root.certificate()), List.of(build),
                Registry.AttestationPolicy.DEV));
        ChainNode node = ChainNode.start(options.chain(), genesis);
        ApiServer api = null;
        List<WorkerHost> gks = new ArrayList<>();
        List<WorkerHost> ws = new ArrayList<>();
        try {
            api = ApiServer.start(node.view(), node.submitter(), options.apiHost(), options.apiPort());
            SimMachine machine = SimMachine.loadOrCreate(dir.resolve("sim-tee").resolve("machine"));
            SecureRandom random = new SecureRandom();
            String[] operators = {"dave", "eve", "ferdie"};
            for (int i = 0; i < options.gatekeepers() + options.workers(); i++) {
                boolean gatekeeper = i < options.gatekeepers();
                String name = gatekeeper ? "gatekeeper-" + i : "worker-" + (i - options.gatekeepers());
                SigningKey operator = DevKeys.get(operators[i % operators.length]);
                SimPlatform platform = new SimPlatform(machine, root, build, System::currentTimeMillis, random);
                WorkerHost host = WorkerHost.openInProcess(WorkerConfig.defaults(dir.resolve("workers").resolve(name), RUNTIME_VERSION),
                        platform, new InProcessChainSource(node.view(), node.submitter()), operator);
                (gatekeeper ? gks : ws).add(host);
                host.start();
            }
            return new LocalNetwork(node, api, gks, ws, build, root);
        } catch (RuntimeException e) {
            ws.forEach(WorkerHost::close);
            gks.forEach(WorkerHost::close);
            if (api != null) {
                api.close();
            }
            node.close();
            throw e;
        }
    }

    /** Governance as the sudo account: allow this build, add the gatekeepers, create cluster 0, deploy secret-notes. */
    public ContractId setUp(Consumer<String> progress, Duration timeout) throws TimeoutException, InterruptedException {
        DevnetBootstrap bootstrap = new DevnetBootstrap(node.view(), node.submitter(), DevKeys.get("alice"), progress, timeout);
        bootstrap.allow(build);
        notes = bootstrap.run(gatekeepers.stream().map(WorkerHost::id).toList(), workers.stream().map(WorkerHost::id).toList());
        return notes;
    }

    public ChainNode node() {
        return node;
    }

    public ApiServer api() {
        return api;
    }

    public String apiUrl() {
        return "http://127.0.0.1:" + api.port();
    }

    public List<WorkerHost> gatekeepers() {
        return gatekeepers;
    }

    public List<WorkerHost> workers() {
        return workers;
    }

    public List<WorkerId> workerIds() {
        return workers.stream().map(WorkerHost::id).toList();
    }

    public Measurement build() {
        return build;
    }

    public SimAttestationRoot simRoot() {
        return root;
    }

    @Override
    public void close() {
        workers.forEach(WorkerHost::close);
        gatekeepers.forEach(WorkerHost::close);
        api.close();
        node.close();
    }
}
