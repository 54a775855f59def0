package cloister.node.cli;

import cloister.crypto.SigningKey;
import cloister.node.devnet.LocalNetwork;
import cloister.node.storage.ProviderService;
import cloister.node.worker.RemoteChainSource;
import cloister.sdk.CloisterClient;
import cloister.tee.Platform;
import cloister.tee.sim.SimPlatform;
import cloister.worker.host.WorkerConfig;
import cloister.worker.host.WorkerHost;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cloister storage provider}: run a storage provider, or stop and restart the devnet's embedded ones. */
@Command(name = "provider", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Run a storage provider (a sim-TEE worker whose enclave runs the watchdog, plus a block store and an"
            + " IPFS-compatible gateway), or stop/start one of the devnet's embedded providers.",
        subcommands = {ProviderCommands.Start.class, ProviderCommands.Ls.class, ProviderCommands.Kill.class, ProviderCommands.Revive.class})
final class ProviderCommands implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand: start, ls, kill or revive");
    }

    @Command(name = "start", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = {"Start a storage provider in this process against a node: its worker (keys sealed in its sim enclave) is"
                + " registered by the operator, then registered as a provider with --capacity and its gateway URL; it fetches the"
                + " files the chain assigns, and its watchdog samples them every round and signs a work report every slot."
                + " Runs until Ctrl-C; blocks and sealed state stay in --data-dir, so a restart downloads nothing it has.",
                "", "Platform sim: " + Platform.SIM_WARNING + "."})
    static final class Start extends CliCommand {
        @Option(names = "--operator", required = true, paramLabel = "SIGNER",
                description = "Account that registers the worker and the provider, relays its reports and is paid: dev name or key name.")
        String operator;

        @Option(names = "--data-dir", paramLabel = "DIR", description = "Sealed blobs and blocks (default: ~/.cloister/provider).")
        Path dataDir;

        @Option(names = "--sim-dir", paramLabel = "DIR",
                description = "The network's sim TEE directory with root/ and machine/ (default: ~/.cloister/devnet/sim-tee, the devnet's).")
        Path simDir;

        @Option(names = "--capacity", paramLabel = "GIB", defaultValue = "16", description = "Space offered, in GiB (default: ${DEFAULT-VALUE}).")
        long capacityGib;

        @Option(names = "--gateway-port", paramLabel = "PORT", defaultValue = "0", description = "Block gateway port on 127.0.0.1 (default: any free).")
        int gatewayPort;

        @Option(names = "--passphrase-file", paramLabel = "FILE", description = "Passphrase of a keystore operator.")
        Path passphraseFile;

        @Override
        public Integer call() throws Exception {
            if (gatewayPort < 0 || gatewayPort > 65535) {
                throw usage("--gateway-port must be between 0 and 65535");
            }
            if (capacityGib < 1 || capacityGib > 1 << 20) {
                throw usage("--capacity must be 1..1048576 GiB");
            }
            SigningKey op = signer("--operator", operator, passphraseFile);
            SimPlatform platform = devnetSimPlatform(simDir);
            CloisterClient node = client();
            Path dir = dataDir != null ? dataDir : ctx.home().resolve("provider");
            WorkerHost host = WorkerHost.openInProcess(WorkerConfig.defaults(dir.resolve("worker"), LocalNetwork.RUNTIME_VERSION).withHttpPort(0),
                    platform, new RemoteChainSource(node), op);
            CountDownLatch stop = new CountDownLatch(1);
            CountDownLatch done = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stop.countDown();
                try {
                    done.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "provider-shutdown"));
            ProviderService service = null;
            try {
                host.start();
                service = ProviderService.start(host, new ProviderService.Config(dir, "127.0.0.1", gatewayPort, capacityGib << 30,
                        node.baseUrl(), Optional.empty()));
                table(new String[][] {
                    {"provider", host.id().hex()},
                    {"platform", "sim — " + Platform.SIM_WARNING},
                    {"operator", op.account().address()},
                    {"node", node.baseUrl()},
                    {"gateway", service.gatewayUrl() + "  (/api/v0/block/get|put|stat, /ipfs/{cid})"},
                    {"capacity", capacityGib + " GiB"},
                    {"blocks on disk", service.store().count() + " (" + service.store().bytes() + " bytes)"},
                    {"data dir", dir.toString()},
                });
                out().println("Registering and syncing; Ctrl-C to stop.");
                out().flush();
                stop.await();
            } finally {
                if (service != null) {
                    service.close();
                }
                host.close();
                out().println("provider stopped.");
                out().flush();
                done.countDown();
            }
            return 0;
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Devnet only: the embedded storage providers, running or stopped.")
    static final class Ls extends DevnetControlCommand {
        @Override
        public Integer call() throws Exception {
            JsonNode n = call("GET", "/v1/devnet/providers");
            if (global.json) {
                printJson(n);
                return 0;
            }
            for (JsonNode p : n.path("providers")) {
                out().println(String.format("%-10s %s…  %-8s %s", p.path("name").asText(), p.path("id").asText().substring(0, 16),
                        p.path("running").asBoolean() ? "running" : "STOPPED", p.path("dedicated").asBoolean() ? "storage only"
                        : "also a compute worker") + (p.has("blocks") ? "  " + p.path("blocks").asLong() + " blocks  " + p.path("gateway").asText() : ""));
            }
            return 0;
        }
    }

    @Command(name = "kill", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Devnet only: stop an embedded provider as if its machine died (it stops reporting; the chain repairs its replicas elsewhere).")
    static final class Kill extends DevnetControlCommand {
        @Parameters(paramLabel = "NAME", description = "storage-0, storage-1, … or worker-0, … (see `storage provider ls`).")
        String name;

        @Override
        public Integer call() throws Exception {
            return setRunning("providers", name, false);
        }
    }

    @Command(name = "revive", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Devnet only: start a stopped embedded provider again from its disk (it downloads nothing it still has).")
    static final class Revive extends DevnetControlCommand {
        @Parameters(paramLabel = "NAME", description = "The provider's name (see `storage provider ls`).")
        String name;

        @Override
        public Integer call() throws Exception {
            return setRunning("providers", name, true);
        }
    }
}
