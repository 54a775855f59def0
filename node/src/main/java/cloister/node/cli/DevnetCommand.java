package cloister.node.cli;

import cloister.chain.ChainConfig;
import cloister.chain.ChainInfo;
import cloister.chain.ChainNode;
import cloister.common.Tokens;
import cloister.crypto.DevKeys;
import cloister.node.api.ApiServer;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
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

    @Override
    public Integer call() throws Exception {
        if (tmp && dataDir != null) {
            throw usage("--tmp and --data-dir exclude each other");
        }
        if (port < 0 || port > 65535) {
            throw usage("--port must be between 0 and 65535");
        }
        ChainConfig config;
        try {
            Path dir = tmp ? Files.createTempDirectory("cloister-devnet-") : dataDir != null ? dataDir : ctx.home().resolve("devnet");
            config = ChainConfig.dev(dir).withBlockTime(blockTime).withInstantSeal(instantSeal);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        ChainNode node = ChainNode.start(config);
        ApiServer api;
        try {
            api = ApiServer.start(node.view(), node.submitter(), host, port);
        } catch (RuntimeException e) {
            node.close();
            cleanup(config.dataDir());
            throw new IllegalStateException("cannot serve the API on " + host + ":" + port + " (" + rootMessage(e) + ")", e);
        }
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
            stopped.await();
            out().println("stopping devnet…");
        } finally {
            api.close();
            node.close();
            cleanup(config.dataDir());
            out().println("devnet stopped.");
            out().flush();
            done.countDown();
        }
        return 0;
    }

    private void cleanup(Path dir) {
        if (!tmp) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
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
