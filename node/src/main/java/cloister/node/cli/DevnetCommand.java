package cloister.node.cli;

import cloister.chain.ChainConfig;
import cloister.chain.ChainInfo;
import cloister.chain.ChainNode;
import cloister.common.Tokens;
import cloister.crypto.DevKeys;
import cloister.node.api.ApiServer;
import cloister.node.devnet.LocalNetwork;
import cloister.proto.ContractId;
import cloister.tee.Platform;
import cloister.worker.host.WorkerHost;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "devnet", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Run a single-node development chain with the HTTP API and dashboard, until Ctrl-C.")
final class DevnetCommand extends CliCommand {
    @Option(names = "--data-dir", paramLabel = "DIR", description = "Chain data directory (default: ~/.cloister/devnet).")
    Path dataDir;

    @Option(names = "--tmp", description = "Use a fresh temporary directory, deleted on exit.")
    boolean tmp;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = ApiServer.DEFAULT_HOST,
            description = "API bind address (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "9933", description = "API port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--block-time", paramLabel = "MS", defaultValue = "1000",
            description = "Milliseconds between blocks (default: ${DEFAULT-VALUE}).")
    long blockTime;

    @Option(names = "--instant-seal", description = "Seal a block as soon as a transaction arrives.")
    boolean instantSeal;

    @Option(names = "--gatekeepers", paramLabel = "N", defaultValue = "1",
            description = "Gatekeeper workers (they create and hand out keys; default: ${DEFAULT-VALUE}).")
    int gatekeepers;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "2",
            description = "Compute workers in cluster 0, which runs secret-notes (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--providers", paramLabel = "N", defaultValue = "3",
            description = "Storage-only providers (own attested identity, block store, IPFS-style gateway; default: ${DEFAULT-VALUE}).")
    int providers;

    @Option(names = "--no-worker-storage", description = "Compute workers do not also act as storage providers (by default they do,"
            + " under the same attested identity).")
    boolean noWorkerStorage;

    @Option(names = "--slot-blocks", paramLabel = "N", defaultValue = "10",
            description = "Storage slot length in blocks: one work report per provider and one payment per replica each slot (default: ${DEFAULT-VALUE}).")
    int slotBlocks;

    @Override
    public Integer call() throws Exception {
        if (tmp && dataDir != null) {
            throw usage("--tmp and --data-dir exclude each other");
        }
        if (port < 0 || port > 65535) {
            throw usage("--port must be between 0 and 65535");
        }
        if (gatekeepers == 0 && providers > 0) {
            throw usage("storage providers are attested workers and need the devnet's set-up: with --gatekeepers 0 pass --providers 0");
        }
        ChainConfig config;
        LocalNetwork.Options options;
        try {
            Path dir = tmp ? Files.createTempDirectory("cloister-devnet-") : dataDir != null ? dataDir : ctx.home().resolve("devnet");
            config = ChainConfig.dev(dir).withBlockTime(blockTime).withInstantSeal(instantSeal);
            options = LocalNetwork.Options.defaults(config).withApi(host, port).withWorkers(gatekeepers, workers)
                    .withStorage(providers, !noWorkerStorage, slotBlocks);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        LocalNetwork net;
        try {
            net = LocalNetwork.start(options);
        } catch (RuntimeException e) {
            cleanup(config.dataDir());
            throw new IllegalStateException("cannot start the devnet (" + rootMessage(e) + ")", e);
        }
        ChainNode node = net.node();
        ApiServer api = net.api();
        CountDownLatch stopped = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stopped.countDown();
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "devnet-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            banner(node.view().info(), api, config);
            if (!net.workers().isEmpty() || !net.gatekeepers().isEmpty() || !net.providers().isEmpty()) {
                Thread setup = Thread.ofPlatform().daemon().name("devnet-setup").start(() -> setUp(net));
                stopped.await();
                setup.interrupt();
            } else {
                stopped.await();
            }
            out().println("stopping devnet…");
        } finally {
            net.close();
            cleanup(config.dataDir());
            out().println("devnet stopped.");
            out().flush();
            done.countDown();
        }
        return 0;
    }

    private void setUp(LocalNetwork net) {
        try {
            ContractId notes = net.setUp(step -> {
                out().println("  setting up: " + step);
                out().flush();
            }, java.time.Duration.ofMinutes(2));
            out().println();
            out().println("  Workers (" + Platform.SIM_WARNING + "):");
            for (WorkerHost h : net.gatekeepers()) {
                out().println("    gatekeeper " + h.id().hex() + "  http://127.0.0.1:" + h.httpPort());
            }
            for (WorkerHost h : net.workers()) {
                out().println("    worker     " + h.id().hex() + "  http://127.0.0.1:" + h.httpPort());
            }
            for (LocalNetwork.Provider p : net.providers()) {
                out().println("    storage    " + p.id().hex() + "  " + p.name() + "  gateway " + p.service().gatewayUrl()
                        + (p.dedicated() ? "" : "  (the compute worker's identity)"));
            }
            if (!net.providers().isEmpty()) {
                out().println("  staging gateway " + net.stagingUrl() + "  (uploads; an IPFS-style block API)");
                out().println("  Storage:  ./cloister storage put FILE" + nodeFlag(net) + "   then   ./cloister storage status CID" + nodeFlag(net));
            }
            if (!net.workers().isEmpty()) {
                out().println("  secret-notes contract " + notes.hex() + " in cluster 0");
                out().println();
                out().println("  Try:  ./cloister notes add --as alice \"my first secret\"" + nodeFlag(net));
                out().println("        ./cloister notes list --as alice" + nodeFlag(net));
            }
            out().println("  ready.");
            out().flush();
            if (!net.workers().isEmpty()) {
                net.startMining(step -> {
                    out().println("  " + step);
                    out().flush();
                }, java.time.Duration.ofMinutes(2));
                out().println("  mining: the compute workers are computing; watch them with ./cloister miner status" + nodeFlag(net));
            }
        } catch (java.util.concurrent.TimeoutException e) {
            ctx.err().println("warning: devnet set-up incomplete: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            ctx.err().println("warning: devnet set-up failed: " + rootMessage(e));
        }
        out().flush();
    }

    private String nodeFlag(LocalNetwork net) {
        return net.api().port() == 9933 ? "" : " --node http://127.0.0.1:" + net.api().port();
    }

    private void cleanup(Path dir) {
        if (!tmp) {
            return;
        }
        try {
            deleteTree(dir);
        } catch (IOException e) {
            ctx.err().println("warning: could not delete " + dir + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    private void banner(ChainInfo info, ApiServer api, ChainConfig config) {
        String url = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + api.port();
        out().println();
        out().println("  Cloister devnet — " + info.chainName());
        out().println();
        table(new String[][] {
            {"  genesis", info.genesisHash().hex()},
            {"  sealing", "dev sealing: one authority (" + info.authorities().get(0).address() + ")"},
            {"  block time", config.instantSeal() ? "instant (on arrival)" : config.blockTimeMillis() + " ms"},
            {"  minimum fee", Tokens.format(info.minimumFee()) + " " + Tokens.SYMBOL},
            {"  data dir", config.dataDir() + (tmp ? " (deleted on exit)" : "")},
            {"  API", url + "/v1   (OpenAPI: " + url + "/openapi.json)"},
            {"  dashboard", url + "/"},
            {"  TEE", Platform.SIM_WARNING},
        });
        out().println();
        out().println("  Dev accounts (well-known keys: for development only; alice is sudo):");
        for (String name : DevKeys.NAMES) {
            out().println(String.format("    %-8s %s", name, DevKeys.get(name).account().address()));
        }
        out().println();
        out().println("  Try:  ./cloister transfer --from alice --to bob 10" + (api.port() == 9933 ? "" : " --node " + url));
        out().println("  Press Ctrl-C to stop.");
        out().flush();
    }

    private static String rootMessage(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null) {
            r = r.getCause();
        }
        return r.getMessage() != null ? r.getMessage() : r.getClass().getSimpleName();
    }
}
