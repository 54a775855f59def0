package cloister.node.cli;

import cloister.crypto.SigningKey;
import cloister.proto.MiningCall;
import cloister.sdk.CloisterClient;
import cloister.sdk.EventInfo;
import cloister.sdk.IncludedTx;
import cloister.sdk.MinerInfo;
import cloister.sdk.MiningInfo;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cloister miner}: start, stop and reclaim a worker's computing, ask for a benchmark, and show every worker's mining record. */
@Command(name = "miner", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Mining: a registered worker benchmarks (its score P), its stake pool's owner starts it with stake of at least"
            + " k·√P from the pool's free stake, and while it answers its heartbeat challenges it earns a share of every block's"
            + " budget for the pool. Stopping it starts a cooldown; after it the stake can be reclaimed (less a slash if V fell"
            + " below its initial value). WORKER is a worker id (64 hex digits, or the first 8 or more of them)."},
        subcommands = {MinerCommands.Start.class, MinerCommands.Stop.class, MinerCommands.Reclaim.class, MinerCommands.Rebench.class,
            MinerCommands.Status.class})
final class MinerCommands implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand: start, stop, reclaim, rebench or status");
    }

    /** A command signed by a worker's pool owner (or operator). */
    abstract static class SignedCommand extends CliCommand {
        @Parameters(index = "0", paramLabel = "WORKER", description = "Worker id (64 hex digits, or the first 8 or more); on a devnet also its name (worker-0, …).")
        String worker;

        @Option(names = "--passphrase-file", paramLabel = "FILE", description = "Passphrase of a keystore signer.")
        Path passphraseFile;

        /** What {@link #send} did: the node asked, the worker WORKER names, the included transaction. */
        record Sent(CloisterClient node, MinerInfo worker, IncludedTx tx) {}

        /**
         * Signs as {@code as}, resolves WORKER on the node and sends the call made for it; null (the refusal printed) if
         * the chain refused it.
         */
        Sent send(String as, Function<MinerInfo, MiningCall> call) {
            SigningKey key = signer("--as", as, passphraseFile);
            CloisterClient node = client();
            MinerInfo m = MiningCli.worker(this, node, worker);
            IncludedTx tx = MarketCli.send(this, node, key, call.apply(m));
            return tx == null ? null : new Sent(node, m, tx);
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Start WORKER computing with --stake from its pool's free stake (at least k·√P for its score P; `miner status"
                + " WORKER` shows the minimum). Signed by the pool's owner.")
    static final class Start extends SignedCommand {
        @Option(names = "--stake", required = true, paramLabel = "CLO", description = "Stake to lock, in CLO.")
        String stake;

        @Option(names = "--as", required = true, paramLabel = "OWNER", description = "The pool's owner: dev name or key name.")
        String as;

        @Override
        public Integer call() {
            long units = MiningCli.positiveAmount(this, "--stake", stake);
            Sent sent = send(as, m -> new MiningCall.StartComputing(m.id(), units));
            if (sent == null) {
                return 1;
            }
            CloisterClient node = sent.node();
            MinerInfo m = sent.worker();
            IncludedTx tx = sent.tx();
            List<EventInfo> started = MiningCli.ofType(MiningCli.events(node, tx), "ComputingStarted");
            long v = started.isEmpty() ? 0 : MiningCli.field(started.get(0), "v");
            long pool = started.isEmpty() ? m.pool() : MiningCli.field(started.get(0), "pool");
            if (global.json) {
                ObjectNode n = JSON.createObjectNode().put("worker", m.id().hex()).put("pool", pool).put("state", "idle");
                MiningCli.amount(n, "stake", units);
                MiningCli.amount(n, "vInit", v);
                MiningCli.amount(n, "minimumStake", m.minimumStake());
                printJson(n.put("block", tx.status().height()));
                return 0;
            }
            table(new String[][] {
                {"worker", m.id().hex()},
                {"pool", Long.toString(pool)},
                {"stake", MiningCli.clo(units) + " locked (minimum for P = " + m.score() + ": " + MiningCli.clo(m.minimumStake()) + ")"},
                {"initial V", MiningCli.clo(v)},
                {"state", "idle: computing, answering heartbeat challenges"},
                {"included", "block " + tx.status().height()},
            });
            return 0;
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Stop WORKER computing: its accrued reward is paid, then it cools down; after the cooldown `miner reclaim`"
                + " returns its stake to the pool. Signed by the pool's owner.")
    static final class Stop extends SignedCommand {
        @Option(names = "--as", required = true, paramLabel = "OWNER", description = "The pool's owner: dev name or key name.")
        String as;

        @Override
        public Integer call() {
            Sent sent = send(as, m -> new MiningCall.StopComputing(m.id()));
            if (sent == null) {
                return 1;
            }
            CloisterClient node = sent.node();
            MinerInfo m = sent.worker();
            IncludedTx tx = sent.tx();
            List<EventInfo> events = MiningCli.events(node, tx);
            List<EventInfo> stopped = MiningCli.ofType(events, "ComputingStopped");
            long until = stopped.isEmpty() ? -1 : MiningCli.field(stopped.get(0), "coolingUntil");
            long paid = MiningCli.ofType(events, "MiningReward").stream().mapToLong(e -> MiningCli.field(e, "toPool")).sum();
            if (global.json) {
                ObjectNode n = JSON.createObjectNode().put("worker", m.id().hex()).put("state", "cooling-down").put("coolingUntil", until);
                MiningCli.amount(n, "rewardPaid", paid);
                printJson(n.put("block", tx.status().height()));
                return 0;
            }
            table(new String[][] {
                {"worker", m.id().hex()},
                {"state", "cooling-down until block " + until},
                {"reward paid", MiningCli.clo(paid) + " to pool " + m.pool()},
                {"included", "block " + tx.status().height()},
                {"next", "./cloister miner reclaim " + m.id().hex().substring(0, 16) + " --as " + as + "   (from block " + until + ")"},
            });
            return 0;
        }
    }

    @Command(name = "reclaim", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "After its cooldown, return WORKER's stake to its pool's free stake — less a slash in proportion if V fell below"
                + " its initial value. Signed by the pool's owner.")
    static final class Reclaim extends SignedCommand {
        @Option(names = "--as", required = true, paramLabel = "OWNER", description = "The pool's owner: dev name or key name.")
        String as;

        @Override
        public Integer call() {
            Sent sent = send(as, m -> new MiningCall.Reclaim(m.id()));
            if (sent == null) {
                return 1;
            }
            CloisterClient node = sent.node();
            MinerInfo m = sent.worker();
            IncludedTx tx = sent.tx();
            List<EventInfo> r = MiningCli.ofType(MiningCli.events(node, tx), "StakeReclaimed");
            long returned = r.isEmpty() ? 0 : MiningCli.field(r.get(0), "returned");
            long slashed = r.isEmpty() ? 0 : MiningCli.field(r.get(0), "slashed");
            long pool = r.isEmpty() ? m.pool() : MiningCli.field(r.get(0), "pool");
            if (global.json) {
                ObjectNode n = JSON.createObjectNode().put("worker", m.id().hex()).put("pool", pool).put("state", "ready");
                MiningCli.amount(n, "returned", returned);
                MiningCli.amount(n, "slashed", slashed);
                printJson(n.put("block", tx.status().height()));
                return 0;
            }
            table(new String[][] {
                {"worker", m.id().hex()},
                {"returned", MiningCli.clo(returned) + " to pool " + pool + "'s free stake"},
                {"slashed", MiningCli.clo(slashed) + (slashed > 0 ? " to the treasury (V ended below its initial value)" : "")},
                {"state", "ready"},
                {"included", "block " + tx.status().height()},
            });
            return 0;
        }
    }

    @Command(name = "rebench", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Ask WORKER to benchmark again; its report updates P (and, while computing, its share). Signed by the worker's"
                + " operator or its pool's owner.")
    static final class Rebench extends SignedCommand {
        @Option(names = "--as", required = true, paramLabel = "OPERATOR", description = "The worker's operator or its pool's owner: dev name or key name.")
        String as;

        @Override
        public Integer call() {
            Sent sent = send(as, m -> new MiningCall.Rebenchmark(m.id()));
            if (sent == null) {
                return 1;
            }
            CloisterClient node = sent.node();
            MinerInfo m = sent.worker();
            IncludedTx tx = sent.tx();
            MinerInfo now = node.miner(m.id()).orElse(m);
            if (global.json) {
                printJson(JSON.createObjectNode().put("worker", m.id().hex()).put("requestedAt", tx.status().height())
                        .put("until", now.benchmarkUntil()).put("score", now.score()).put("block", tx.status().height()));
                return 0;
            }
            table(new String[][] {
                {"worker", m.id().hex()},
                {"benchmark", "requested at block " + tx.status().height() + (now.benchmarkUntil() >= 0 ? ", due by block " + now.benchmarkUntil() : "")},
                {"P now", m.score() == 0 ? "none yet" : Integer.toString(m.score())},
                {"next", "./cloister miner status " + m.id().hex().substring(0, 16)},
            });
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = {"Every registered worker's mining record (or WORKER's in full): operator, pool, state, P and P_t, V now and"
                + " initial V, stake and the minimum stake for its P, share, rewards (mining + storage), heartbeats, the outstanding"
                + " challenge's deadline, the end of its cooldown.",
                "States: ready (not computing), idle (computing), unresponsive (missed a heartbeat; V falls), cooling-down (stopped)."})
    static final class Status extends CliCommand {
        @Parameters(arity = "0..1", paramLabel = "WORKER", description = "One worker: its id (64 hex digits, or the first 8 or more), or on a devnet its name (worker-0, …).")
        String worker;

        @Override
        public Integer call() {
            CloisterClient node = client();
            MiningInfo mining = node.mining();
            long head = mining.head();
            if (worker != null) {
                MinerInfo m = MiningCli.worker(this, node, worker);
                if (global.json) {
                    printJson(MiningCli.json(m).put("head", head));
                } else {
                    table(MiningCli.details(m, head));
                }
                return 0;
            }
            List<MinerInfo> all = node.miners();
            if (global.json) {
                ObjectNode n = JSON.createObjectNode().put("head", head).put("computing", mining.computing());
                MiningCli.amount(n, "sumShares", mining.sumShares());
                MiningCli.amount(n, "issued", mining.issued());
                MiningCli.amount(n, "paid", mining.paid());
                ArrayNode a = n.putArray("workers");
                all.forEach(m -> a.add(MiningCli.json(m)));
                printJson(n);
                return 0;
            }
            if (all.isEmpty()) {
                out().println("no registered workers");
                return 0;
            }
            out().println(MiningCli.minerHeader());
            all.forEach(m -> out().println(MiningCli.minerRow(m, head)));
            out().println("block " + head + ": " + mining.computing() + " computing; issued " + MiningCli.clo(mining.issued()) + ", paid "
                    + MiningCli.clo(mining.paid()) + " (amounts in CLO; V grows while idle and falls while unresponsive)");
            return 0;
        }
    }
}
