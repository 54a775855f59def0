package cloister.node.devnet;

import cloister.chain.ChainConfig;
import cloister.chain.ChainNode;
import cloister.chain.Genesis;
import cloister.chain.runtime.registry.Registry;
import cloister.crypto.DevKeys;
import cloister.crypto.SigningKey;
import cloister.node.api.ApiServer;
import cloister.node.storage.ProviderService;
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
 *
 * <p>Compute workers and storage providers can be stopped as if their machine died and started again from their disk
 * ({@link #stopWorker}, {@link #stopProvider}): that is how tests and {@code worker kill} / {@code storage provider kill}
 * exercise recovery. Gatekeepers cannot.
 */
public final class LocalNetwork implements AutoCloseable {
    /** The worker runtime version every devnet worker reports (part of the sim measurement). */
    public static final String RUNTIME_VERSION = "0.1.0";

    /** What to start. */
    public record Options(ChainConfig chain, String apiHost, int apiPort, int gatekeepers, int workers, Duration setupTimeout,
                          int providers, boolean workersProvide, int slotBlocks, long providerCapacity) {
        public Options {
            if (providers < 0 || providers > 16) {
                throw new IllegalArgumentException("--providers: 0..16");
            }
            if (slotBlocks < cloister.proto.GovernanceCall.SetStorageSlot.MIN_BLOCKS || slotBlocks > cloister.proto.GovernanceCall.SetStorageSlot.MAX_BLOCKS) {
                throw new IllegalArgumentException("--slot-blocks: " + cloister.proto.GovernanceCall.SetStorageSlot.MIN_BLOCKS + ".."
                        + cloister.proto.GovernanceCall.SetStorageSlot.MAX_BLOCKS);
            }
            if (gatekeepers < 1 && workers > 0) {
                throw new IllegalArgumentException("workers need a gatekeeper for their keys: --gatekeepers must be at least 1");
            }
            if (gatekeepers < 0 || workers < 0 || gatekeepers + workers > 16) {
                throw new IllegalArgumentException("--gatekeepers and --workers: 0..16 in all");
            }
        }

        public static Options defaults(ChainConfig chain) {
            return new Options(chain, ApiServer.DEFAULT_HOST, ApiServer.DEFAULT_PORT, 1, 2, Duration.ofSeconds(120), 3, true,
                    cloister.chain.runtime.storage.StorageMarket.DEFAULT_SLOT_BLOCKS, 64L << 30);
        }

        public Options withApi(String host, int port) {
            return new Options(chain, host, port, gatekeepers, workers, setupTimeout, providers, workersProvide, slotBlocks, providerCapacity);
        }

        public Options withWorkers(int gatekeepers, int workers) {
            return new Options(chain, apiHost, apiPort, gatekeepers, workers, setupTimeout, providers, workersProvide, slotBlocks, providerCapacity);
        }

        /**
         * @param providers      dedicated storage providers (their own attested worker identities, in no cluster)
         * @param workersProvide whether the compute workers are storage providers too, under the same identity
         * @param slotBlocks     the storage slot length in blocks
         */
        public Options withStorage(int providers, boolean workersProvide, int slotBlocks) {
            return new Options(chain, apiHost, apiPort, gatekeepers, workers, setupTimeout, providers, workersProvide, slotBlocks, providerCapacity);
        }
    }

    /** A storage provider of the devnet: its name, its worker host and the provider service beside it. */
    public static final class Provider {
        private final String name;
        private final boolean dedicated;
        private final SigningKey operator;
        private volatile WorkerHost host;
        private volatile ProviderService service;

        Provider(String name, boolean dedicated, SigningKey operator, WorkerHost host, ProviderService service) {
            this.name = name;
            this.dedicated = dedicated;
            this.operator = operator;
            this.host = host;
            this.service = service;
        }

        public String name() {
            return name;
        }

        /** Whether it is a storage-only worker (else it is also a compute worker of cluster 0). */
        public boolean dedicated() {
            return dedicated;
        }

        public WorkerId id() {
            return host.id();
        }

        public WorkerHost host() {
            return host;
        }

        /** The running service, or null while stopped. */
        public ProviderService service() {
            return service;
        }

        public boolean running() {
            return service != null;
        }
    }

    /**
     * A compute worker of cluster 0 (worker-N): its worker host and the W3A job data service beside it, both replaced
     * when it is started again. Its identity is sealed on disk, so it stays the same across a restart.
     */
    public static final class ComputeWorker {
        private final String name;
        private final SigningKey operator;
        private final WorkerId id;
        private volatile WorkerHost host;
        private volatile cloister.node.market.JobDataService jobs;

        ComputeWorker(String name, SigningKey operator, WorkerHost host) {
            this.name = name;
            this.operator = operator;
            this.id = host.id();
            this.host = host;
        }

        public String name() {
            return name;
        }

        public WorkerId id() {
            return id;
        }

        /** The current host (while stopped: the closed one). */
        public WorkerHost host() {
            return host;
        }

        /** The running job data service, or null while stopped. */
        public cloister.node.market.JobDataService jobs() {
            return jobs;
        }

        public boolean running() {
            return jobs != null;
        }
    }

    /** The dev accounts that operate the devnet's workers, in turn: gatekeepers, compute workers, then dedicated providers. */
    private static final String[] OPERATORS = {"dave", "eve", "ferdie"};

    private final ChainNode node;
    private final ApiServer api;
    private final List<WorkerHost> gatekeepers;
    private final List<ComputeWorker> workers;
    private final List<Provider> providers;
    private final Measurement build;
    private final SimAttestationRoot root;
    private final Options options;
    private final SimMachine machine;
    private final cloister.storage.store.DiskChunkStore staging;
    private final cloister.node.storage.BlockGateway stagingGateway;
    private ContractId notes;

    private LocalNetwork(ChainNode node, ApiServer api, List<WorkerHost> gatekeepers, List<ComputeWorker> workers, List<Provider> providers,
                         Measurement build, SimAttestationRoot root, Options options, SimMachine machine,
                         cloister.storage.store.DiskChunkStore staging, cloister.node.storage.BlockGateway stagingGateway) {
        this.node = node;
        this.api = api;
        this.gatekeepers = gatekeepers;
        this.workers = workers;
        this.providers = providers;
        this.build = build;
        this.root = root;
        this.options = options;
        this.machine = machine;
        this.staging = staging;
        this.stagingGateway = stagingGateway;
    }

    /**
     * Starts the chain, the staging gateway, the API, the workers and the storage providers. Call {@link #setUp}
     * next to run governance (gatekeepers, cluster, contract, slot length).
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
        cloister.storage.store.DiskChunkStore staging = null;
        cloister.node.storage.BlockGateway stagingGateway = null;
        List<WorkerHost> gks = new ArrayList<>();
        List<ComputeWorker> ws = new ArrayList<>();
        List<Provider> ps = new ArrayList<>();
        java.util.concurrent.atomic.AtomicReference<LocalNetwork> self = new java.util.concurrent.atomic.AtomicReference<>();
        try {
            // The uploader's node: clients put a file's (encrypted) blocks here; providers fetch them from here.
            staging = cloister.storage.store.DiskChunkStore.open(dir.resolve("staging"), false);
            stagingGateway = cloister.node.storage.BlockGateway.start(staging, "127.0.0.1", 0, true);
            String stagingUrl = "http://127.0.0.1:" + stagingGateway.port();
            api = ApiServer.start(node.view(), node.submitter(), options.apiHost(), options.apiPort(), Optional.of(stagingUrl),
                    DevnetControl.routes(self::get));
            SimMachine machine = SimMachine.loadOrCreate(dir.resolve("sim-tee").resolve("machine"));
            int n = options.gatekeepers() + options.workers();
            for (int i = 0; i < n; i++) {
                boolean gatekeeper = i < options.gatekeepers();
                String name = gatekeeper ? "gatekeeper-" + i : "worker-" + (i - options.gatekeepers());
                SigningKey operator = operator(i);
                WorkerHost host = openHost(dir, machine, root, build, node, name, operator);
                if (gatekeeper) {
                    gks.add(host);
                } else {
                    ws.add(new ComputeWorker(name, operator, host));
                }
                host.start();
            }
            String apiUrl = "http://127.0.0.1:" + api.port();
            if (options.workersProvide()) {
                for (ComputeWorker w : ws) {
                    ps.add(new Provider(w.name, false, w.operator, w.host, startService(dir, w.name, w.host, apiUrl, options.providerCapacity())));
                }
            }
            for (int i = 0; i < options.providers(); i++) {
                String name = "storage-" + i;
                SigningKey operator = operator(n + i);
                WorkerHost host = openHost(dir, machine, root, build, node, name, operator);
                host.start();
                ps.add(new Provider(name, true, operator, host, startService(dir, name, host, apiUrl, options.providerCapacity())));
            }
            for (ComputeWorker w : ws) {
                w.jobs = cloister.node.market.JobDataService.start(w.host, apiUrl);
            }
            LocalNetwork net = new LocalNetwork(node, api, gks, ws, ps, build, root, options, machine, staging, stagingGateway);
            self.set(net);
            return net;
        } catch (RuntimeException | IOException e) {
            for (ComputeWorker w : ws) {
                if (w.jobs != null) {
                    w.jobs.close();
                }
            }
            for (Provider p : ps) {
                if (p.service != null) {
                    p.service.close();
                }
                if (p.dedicated) {
                    p.host.close();
                }
            }
            ws.forEach(w -> w.host.close());
            gks.forEach(WorkerHost::close);
            if (api != null) {
                api.close();
            }
            if (stagingGateway != null) {
                stagingGateway.close();
            }
            if (staging != null) {
                staging.close();
            }
            node.close();
            throw e;
        }
    }

    private static SigningKey operator(int index) {
        return DevKeys.get(OPERATORS[index % OPERATORS.length]);
    }

    /**
     * Opens the worker host {@code name} from its sealed state under {@code workers/NAME/} (a fresh identity the first
     * time): the one way every devnet worker is opened, at start and on a restart.
     */
    private static WorkerHost openHost(Path dir, SimMachine machine, SimAttestationRoot root, Measurement build, ChainNode node, String name,
                                       SigningKey operator) {
        SimPlatform platform = new SimPlatform(machine, root, build, System::currentTimeMillis, new SecureRandom());
        return WorkerHost.openInProcess(WorkerConfig.defaults(dir.resolve("workers").resolve(name), RUNTIME_VERSION),
                platform, new InProcessChainSource(node.view(), node.submitter()), operator);
    }

    private static ProviderService startService(Path dir, String name, WorkerHost host, String apiUrl, long capacity) throws IOException {
        return ProviderService.start(host, new ProviderService.Config(dir.resolve("providers").resolve(name), "127.0.0.1", 0, capacity,
                apiUrl, Optional.empty()));
    }

    /** The devnet's storage providers: compute workers that also provide (worker-N), then dedicated ones (storage-N). */
    public List<Provider> providers() {
        return providers;
    }

    public Optional<Provider> provider(String name) {
        return providers.stream().filter(p -> p.name.equals(name)).findFirst();
    }

    /**
     * Stops a provider as if its machine went down: its provider service (gateway, fetching, watchdog rounds and
     * reports) and, for a dedicated provider, its worker. Its blocks and sealed state stay on disk.
     *
     * @return false if it was not running
     */
    public synchronized boolean stopProvider(String name) {
        Provider p = provider(name).orElseThrow(() -> new IllegalArgumentException("no provider " + name));
        if (p.service == null) {
            return false;
        }
        p.service.close();
        p.service = null;
        if (p.dedicated) {
            p.host.close();
        }
        return true;
    }

    /** Starts a stopped provider again from what it has on disk (nothing it holds is downloaded again). */
    public synchronized boolean startProvider(String name) throws IOException {
        Provider p = provider(name).orElseThrow(() -> new IllegalArgumentException("no provider " + name));
        if (p.service != null) {
            return false;
        }
        Path dir = options.chain().dataDir();
        if (p.dedicated) {
            p.host = openHost(dir, machine, root, build, node, name, p.operator);
            p.host.start();
        } else {
            ComputeWorker w = worker(name).orElseThrow();
            if (!w.running()) {
                return startWorker(name); // its machine is down: starting it brings the provider back with the rest
            }
        }
        p.service = startService(dir, name, p.host, apiUrl(), options.providerCapacity());
        return true;
    }

    /** The devnet's compute workers (worker-0, worker-1, …), running or stopped. */
    public List<ComputeWorker> computeWorkers() {
        return workers;
    }

    public List<String> workerNames() {
        return workers.stream().map(ComputeWorker::name).toList();
    }

    public Optional<ComputeWorker> worker(String name) {
        return workers.stream().filter(w -> w.name.equals(name)).findFirst();
    }

    /**
     * Stops a compute worker as if its machine died: its job data service, its provider service if it is a storage
     * provider too, and its worker host (enclave sync, egress relay, query endpoint). Its sealed state and blocks stay
     * on disk. The chain is not told: a job assigned to it waits for its answer until the job's time limit.
     *
     * @return false if it was not running
     * @throws IllegalArgumentException if there is no compute worker {@code name}
     */
    public synchronized boolean stopWorker(String name) {
        ComputeWorker w = worker(name).orElseThrow(() -> new IllegalArgumentException("no worker " + name));
        if (w.jobs == null) {
            return false;
        }
        w.jobs.close();
        w.jobs = null;
        Optional<Provider> p = provider(name);
        if (p.isPresent() && p.get().service != null) {
            p.get().service.close();
            p.get().service = null;
        }
        w.host.close();
        return true;
    }

    /**
     * Starts a stopped compute worker as its restarted process would: the host is opened from its sealed state (same
     * identity), catches up with the chain from its last checkpoint and relays egress that was signed but not seen
     * accepted, then its provider service (if it provides storage) and its job data service start again.
     *
     * @return false if it was running
     * @throws IllegalArgumentException if there is no compute worker {@code name}
     */
    public synchronized boolean startWorker(String name) throws IOException {
        ComputeWorker w = worker(name).orElseThrow(() -> new IllegalArgumentException("no worker " + name));
        if (w.jobs != null) {
            return false;
        }
        Path dir = options.chain().dataDir();
        WorkerHost host = openHost(dir, machine, root, build, node, name, w.operator);
        if (!host.id().equals(w.id)) {
            host.close();
            throw new IOException(name + " opened as another worker (" + host.id().hex() + "): its sealed state under workers/" + name
                    + " is gone");
        }
        try {
            host.start();
            Optional<Provider> p = provider(name);
            if (p.isPresent()) {
                p.get().host = host;
                p.get().service = startService(dir, name, host, apiUrl(), options.providerCapacity());
            }
        } catch (RuntimeException | IOException e) {
            provider(name).ifPresent(p -> {
                if (p.service != null) {
                    p.service.close();
                    p.service = null;
                }
            });
            host.close();
            throw e;
        }
        w.host = host;
        w.jobs = cloister.node.market.JobDataService.start(host, apiUrl());
        return true;
    }

    /** The URL of the node's staging block gateway (an IPFS-style block API for uploads). */
    public String stagingUrl() {
        return "http://127.0.0.1:" + stagingGateway.port();
    }

    /** Governance as the sudo account: allow this build, add the gatekeepers, create cluster 0, deploy secret-notes. */
    public ContractId setUp(Consumer<String> progress, Duration timeout) throws TimeoutException, InterruptedException {
        DevnetBootstrap bootstrap = new DevnetBootstrap(node.view(), node.submitter(), DevKeys.get("alice"), progress, timeout);
        bootstrap.allow(build);
        bootstrap.storageSlot(options.slotBlocks());
        notes = bootstrap.run(gatekeepers.stream().map(WorkerHost::id).toList(), workerIds());
        return notes;
    }

    /**
     * Mining set-up, as the compute workers' operators: each creates a stake pool, delegates, adds its worker and starts
     * it computing once its benchmark score is on chain (see {@link DevnetBootstrap#startMining}).
     */
    public void startMining(Consumer<String> progress, Duration timeout) throws TimeoutException, InterruptedException {
        DevnetBootstrap bootstrap = new DevnetBootstrap(node.view(), node.submitter(), DevKeys.get("alice"), progress, timeout);
        bootstrap.startMining(workerIds(), account -> DevKeys.nameOf(account).map(DevKeys::get)
                .orElseThrow(() -> new IllegalStateException("operator " + account.address() + " is not a dev account")));
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

    /** The compute workers' current hosts (a stopped worker's is closed); see {@link #computeWorkers()}. */
    public List<WorkerHost> workers() {
        return workers.stream().map(ComputeWorker::host).toList();
    }

    public List<WorkerId> workerIds() {
        return workers.stream().map(ComputeWorker::id).toList();
    }

    public Measurement build() {
        return build;
    }

    public SimAttestationRoot simRoot() {
        return root;
    }

    @Override
    public synchronized void close() {
        for (ComputeWorker w : workers) {
            if (w.jobs != null) {
                w.jobs.close();
            }
        }
        for (Provider p : providers) {
            if (p.service != null) {
                p.service.close();
                p.service = null;
                if (p.dedicated) {
                    p.host.close();
                }
            }
        }
        for (ComputeWorker w : workers) {
            if (w.jobs != null) {
                w.jobs = null;
                w.host.close();
            }
        }
        gatekeepers.forEach(WorkerHost::close);
        api.close();
        stagingGateway.close();
        staging.close();
        node.close();
    }
}
