package cloister.node.cli;

import cloister.crypto.SigningKey;
import cloister.node.devnet.LocalNetwork;
import cloister.node.worker.RemoteChainSource;
import cloister.sdk.CloisterApiException;
import cloister.sdk.CloisterClient;
import cloister.sdk.RegisteredWorker;
import cloister.tee.Platform;
import cloister.tee.sim.SimPlatform;
import cloister.worker.host.WorkerConfig;
import cloister.worker.host.WorkerHost;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cloister worker}: run a worker as its own process against a node, or inspect workers. */
@Command(name = "worker", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Run a confidential-computing worker against a node (sim TEE), show the workers' status, or stop/start one"
            + " of the devnet's embedded compute workers.",
        subcommands = {WorkerCommands.Start.class, WorkerCommands.Status.class, WorkerCommands.Ls.class, WorkerCommands.Kill.class,
            WorkerCommands.Revive.class})
final class WorkerCommands implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand: start, status, ls, kill or revive");
    }

    @Command(name = "start", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = {"Start a worker in this process: keys made and sealed inside its (sim) enclave, registered on chain by the"
                + " operator's account, synced from the node, serving encrypted queries on 127.0.0.1. Runs until Ctrl-C.",
                "", "Platform sim: " + Platform.SIM_WARNING + ". A sim worker needs the network's sim attestation root, which only"
                + " the machine running the devnet has (--sim-dir)."})
    static final class Start extends CliCommand {
        @Option(names = "--operator", required = true, paramLabel = "SIGNER",
                description = "Account that registers the worker and relays its messages (pays their fees): dev name or key name.")
        String operator;

        @Option(names = "--data-dir", paramLabel = "DIR", description = "Where the worker keeps its sealed blobs (default: ~/.cloister/worker).")
        Path dataDir;

        @Option(names = "--sim-dir", paramLabel = "DIR",
                description = "The network's sim TEE directory with root/ and machine/ (default: ~/.cloister/devnet/sim-tee, the devnet's).")
        Path simDir;

        @Option(names = "--port", paramLabel = "PORT", defaultValue = "0", description = "Query endpoint port on 127.0.0.1 (default: any free).")
        int port;

        @Option(names = "--passphrase-file", paramLabel = "FILE", description = "Passphrase of a keystore operator.")
        Path passphraseFile;

        @Override
        public Integer call() throws Exception {
            if (port < 0 || port > 65535) {
                throw usage("--port must be between 0 and 65535");
            }
            SigningKey op = signer("--operator", operator, passphraseFile);
            SimPlatform platform = devnetSimPlatform(simDir);
            CloisterClient node = client();
            Path dir = dataDir != null ? dataDir : ctx.home().resolve("worker");
            WorkerHost host = WorkerHost.openInProcess(WorkerConfig.defaults(dir, LocalNetwork.RUNTIME_VERSION).withHttpPort(port),
                    platform, new RemoteChainSource(node), op);
            CountDownLatch stop = new CountDownLatch(1);
            CountDownLatch done = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                stop.countDown();
                try {
                    done.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "worker-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            cloister.node.market.JobDataService jobs = null;
            try {
                host.start();
                jobs = cloister.node.market.JobDataService.start(host, node.baseUrl());
                table(new String[][] {
                    {"worker", host.id().hex()},
                    {"platform", "sim — " + Platform.SIM_WARNING},
                    {"measurement", platform.measurement().hex()},
                    {"operator", op.account().address()},
                    {"node", node.baseUrl()},
                    {"query endpoint", "http://127.0.0.1:" + host.httpPort()},
                    {"data dir", dir.toString()},
                });
                out().println("Registering and syncing; Ctrl-C to stop.");
                out().flush();
                stop.await();
            } finally {
                if (jobs != null) {
                    jobs.close();
                }
                host.close();
                out().println("worker stopped.");
                out().flush();
                done.countDown();
            }
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "List the registered workers with their platform, roles and, where reachable, their sync status.")
    static final class Status extends CliCommand {
        @Override
        public Integer call() {
            CloisterClient node = client();
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            ArrayNode all = JSON.createArrayNode();
            for (RegisteredWorker w : node.workers()) {
                ObjectNode o = all.addObject().put("id", w.id().hex()).put("platform", w.platform()).put("measurement", w.measurement())
                        .put("measurementAllowed", w.measurementAllowed()).put("confidenceLevel", w.confidenceLevel())
                        .put("gatekeeper", w.gatekeeper()).put("operator", w.operator().address())
                        .put("endpoint", w.endpoint().orElse(null));
                if (w.simulated()) {
                    o.put("warning", Platform.SIM_WARNING);
                }
                w.endpoint().ifPresent(url -> {
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/status"))
                                .timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.ofString());
                        JsonNode s = JSON.readTree(r.body());
                        o.put("syncedHeight", s.path("syncedHeight").asLong()).put("reachable", true);
                        o.set("contracts", s.path("contracts"));
                    } catch (IOException | RuntimeException e) {
                        o.put("reachable", false);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new CloisterApiException("INTERRUPTED", "interrupted");
                    }
                });
            }
            if (global.json) {
                printJson(all);
                return 0;
            }
            if (all.isEmpty()) {
                out().println("no registered workers");
                return 0;
            }
            for (JsonNode o : all) {
                out().println(o.path("id").asText() + "  " + o.path("platform").asText() + (o.path("gatekeeper").asBoolean() ? "  gatekeeper" : "  compute")
                        + "  confidence " + o.path("confidenceLevel").asInt()
                        + (o.path("measurementAllowed").asBoolean() ? "" : "  MEASUREMENT NO LONGER ALLOWED")
                        + (o.has("syncedHeight") ? "  synced #" + o.path("syncedHeight").asLong() : o.path("endpoint").isNull() ? "  (no endpoint)" : "  (unreachable)")
                        + "  " + o.path("endpoint").asText(""));
            }
            if (all.findValues("warning").size() > 0) {
                out().println("note: platform sim — " + Platform.SIM_WARNING);
            }
            return 0;
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Devnet only: the embedded compute workers (worker-0, …), running or stopped.")
    static final class Ls extends DevnetControlCommand {
        @Override
        public Integer call() throws Exception {
            JsonNode n = call("GET", "/v1/devnet/workers");
            if (global.json) {
                printJson(n);
                return 0;
            }
            for (JsonNode w : n.path("workers")) {
                out().println(String.format("%-10s %s…  %-8s", w.path("name").asText(), w.path("id").asText().substring(0, 16),
                        w.path("running").asBoolean() ? "running" : "STOPPED")
                        + (w.has("syncedHeight") ? "  synced #" + w.path("syncedHeight").asLong() : "")
                        + (w.path("provider").asBoolean() ? "  also a storage provider" : ""));
            }
            return 0;
        }
    }

    @Command(name = "kill", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Devnet only: stop an embedded compute worker as if its machine died (enclave sync, relaying, its queries,"
                + " its W3A jobs' data and its storage role stop; the chain fails a job it does not answer in time and refunds it).")
    static final class Kill extends DevnetControlCommand {
        @Parameters(paramLabel = "NAME", description = "worker-0, worker-1, … (see `worker ls`).")
        String name;

        @Override
        public Integer call() throws Exception {
            return setRunning("workers", name, false);
        }
    }

    @Command(name = "revive", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Devnet only: start a stopped embedded compute worker again from its sealed state (same identity; it"
                + " catches up with the chain and resumes the jobs still assigned to it).")
    static final class Revive extends DevnetControlCommand {
        @Parameters(paramLabel = "NAME", description = "The worker's name (see `worker ls`).")
        String name;

        @Override
        public Integer call() throws Exception {
            return setRunning("workers", name, true);
        }
    }
}
