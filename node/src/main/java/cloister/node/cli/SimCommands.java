package cloister.node.cli;

import cloister.node.sim.MiningReport;
import cloister.node.sim.MiningSimulation;
import cloister.tee.Platform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cloister sim}: simulations that run the real chain runtime in this process, offline (no node needed). */
@Command(name = "sim", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Simulations that run the real chain in this process (no node needed).",
        subcommands = {SimCommands.Mining.class})
final class SimCommands implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand: mining");
    }

    @Command(name = "mining", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = {"Simulate mining economics on a real chain: a Chain on a temporary RocksDB store applies real signed"
                + " transactions block after block with the real computation and stakepool modules. Simulated workers (own Ed25519"
                + " keys, registered with sim TEE quotes) join stake pools, are benchmarked (fast machines report about 3× the"
                + " iterations/s of slow ones, so a higher score P), are started with the minimum stake k·√P, and answer the chain's"
                + " benchmark requests, heartbeat challenges and unresponsive notices with signed worker messages in the next block."
                + " The --offline share stops answering after --offline-after blocks: they turn unresponsive and lose V.",
                "",
                "Prints per group (online/offline × fast/slow): workers, mean P, mean V when computing started and at the end, mean"
                + " rewards paid to the pool, heartbeats, states at the end; then the budget issued and paid (pools, treasury), the"
                + " exact reward conservation (issued·10^18 = paid·10^18 + carry + Σ(pending·10^18 + frac + share·(acc − accAt))),"
                + " cross-checks of events against state, and the time taken. Exit status 1 if a check fails.",
                "",
                "Workers attest with the sim TEE: " + Platform.SIM_WARNING + "."})
    static final class Mining extends CliCommand {
        @Option(names = "--workers", paramLabel = "N", defaultValue = "200", description = "Workers (default: ${DEFAULT-VALUE}).")
        int workers;

        @Option(names = "--blocks", paramLabel = "N", defaultValue = "10000",
                description = "Blocks to run once every worker computes (default: ${DEFAULT-VALUE}).")
        long blocks;

        @Option(names = "--offline", paramLabel = "SHARE", defaultValue = "10%",
                description = "Share of workers that stop answering: a percentage (10%%) or a fraction (0.1) (default: ${DEFAULT-VALUE}).")
        String offline;

        @Option(names = "--offline-after", paramLabel = "N",
                description = "They stop after N blocks of computing (default: a third of --blocks).")
        Long offlineAfter;

        @Option(names = "--rejoin-after", paramLabel = "N",
                description = "They answer again after N blocks of computing, recovering from unresponsive (default: never).")
        Long rejoinAfter;

        @Option(names = "--fast-fraction", paramLabel = "SHARE", defaultValue = "50%",
                description = "Share of workers on fast machines, online and offline alike: 50%% or 0.5 (default: ${DEFAULT-VALUE}).")
        String fastFraction;

        @Option(names = "--pools", paramLabel = "N", description = "Stake pools, one operator each (default: one per 50 workers).")
        Integer pools;

        @Option(names = "--config", paramLabel = "NETWORK", defaultValue = "devnet",
                description = "Mining constants and block interval: devnet (1 s blocks, a block counts as a minute, challenges every"
                    + " 10 blocks on average) or production (Phala's constants on 12 s blocks) (default: ${DEFAULT-VALUE}).")
        String config;

        @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
                description = "Seed of the keys, the population and the benchmark rates (default: ${DEFAULT-VALUE}).")
        long seed;

        @Override
        public Integer call() throws Exception {
            if (blocks < 1 || blocks > 10_000_000) {
                throw usage("--blocks must be 1..10000000");
            }
            MiningSimulation.Network network = switch (config) {
                case "devnet" -> MiningSimulation.Network.DEVNET;
                case "production" -> MiningSimulation.Network.PRODUCTION;
                default -> throw usage("--config is devnet or production, not '" + config + "'");
            };
            MiningSimulation.Options options;
            try {
                options = new MiningSimulation.Options(workers, pools != null ? pools : MiningSimulation.Options.defaultPools(workers),
                        share("--offline", offline), offlineAfter != null ? offlineAfter : blocks / 3, rejoinAfter != null ? rejoinAfter : -1,
                        share("--fast-fraction", fastFraction), seed, network);
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
            // The chain logs every block with transactions at info: keep that off the table.
            if (System.getProperty("org.slf4j.simpleLogger.log.cloister.chain") == null) {
                System.setProperty("org.slf4j.simpleLogger.log.cloister.chain", "warn");
            }
            Path dir = Files.createTempDirectory("cloister-sim-mining-");
            try (MiningSimulation sim = MiningSimulation.open(dir.resolve("chain"), options)) {
                ctx.err().printf(Locale.ROOT, "setting up %,d workers in %,d pools ...%n", workers, options.pools());
                sim.setUp();
                long step = Math.max(1, blocks / 10);
                long t0 = System.nanoTime();
                for (long done = 0; done < blocks; ) {
                    long n = Math.min(step, blocks - done);
                    sim.run(n);
                    done += n;
                    double elapsed = (System.nanoTime() - t0) / 1e9;
                    ctx.err().printf(Locale.ROOT, "  %,d of %,d blocks, %.1f s%s%n", done, blocks, elapsed,
                            done < blocks ? String.format(Locale.ROOT, " (about %.0f s to go)", elapsed * (blocks - done) / done) : "");
                }
                MiningReport report = sim.report();
                report.print(out());
                if (!report.consistent()) {
                    ctx.err().println("error: a check failed (see above)");
                    return 1;
                }
                return 0;
            } finally {
                deleteTree(dir);
            }
        }

        private double share(String option, String text) {
            String t = text.trim();
            try {
                double v = t.endsWith("%") ? Double.parseDouble(t.substring(0, t.length() - 1).trim()) / 100 : Double.parseDouble(t);
                if (!(v >= 0 && v <= 1)) {
                    throw usage(option + " must be 0%..100% (or a fraction 0..1), got '" + text + "'");
                }
                return v;
            } catch (NumberFormatException e) {
                throw usage(option + " is a percentage like 10% or a fraction like 0.1, not '" + text + "'");
            }
        }

    }
}
