package cloister.node.cli;

import cloister.crypto.AccountId;
import cloister.crypto.SigningKey;
import cloister.proto.MiningCall;
import cloister.sdk.CloisterApiException;
import cloister.sdk.CloisterClient;
import cloister.sdk.DelegationInfo;
import cloister.sdk.EventInfo;
import cloister.sdk.IncludedTx;
import cloister.sdk.MinerInfo;
import cloister.sdk.PoolInfo;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cloister pool}: stake pools — create one, add workers, delegate, withdraw, and show them. */
@Command(name = "pool", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Stake pools: a miner creates a pool with a commission and adds its workers; anyone delegates CLO to it for"
            + " shares at the pool's share price. Rewards raise the share price (less the owner's commission). A withdrawal is paid"
            + " from free stake, or queued until stake frees up; one still queued after the grace period makes the pool stop workers.",
            "Shares are shown like CLO (9 decimals): a pool's first delegation buys one share per CLO."},
        subcommands = {PoolCommands.Create.class, PoolCommands.AddWorker.class, PoolCommands.Delegate.class, PoolCommands.Withdraw.class,
            PoolCommands.Status.class})
final class PoolCommands implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand: create, add-worker, delegate, withdraw or status");
    }

    @Command(name = "create", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Create a stake pool owned by --as, taking --commission percent of every reward; prints the new pool's number.")
    static final class Create extends CliCommand {
        @Option(names = "--commission", required = true, paramLabel = "PERCENT", description = "0 to 100, at most 4 decimals (e.g. 15 or 2.5).")
        String commission;

        @Option(names = "--as", required = true, paramLabel = "OWNER", description = "The pool's owner: dev name or key name.")
        String as;

        @Option(names = "--passphrase-file", paramLabel = "FILE", description = "Passphrase of a keystore signer.")
        Path passphraseFile;

        @Override
        public Integer call() {
            int ppm = MiningCli.commissionPpm(this, commission);
            SigningKey key = signer("--as", as, passphraseFile);
            CloisterClient node = client();
            IncludedTx tx = MarketCli.send(this, node, key, new MiningCall.CreatePool(ppm));
            if (tx == null) {
                return 1;
            }
            List<EventInfo> created = MiningCli.ofType(MiningCli.events(node, tx), "PoolCreated");
            if (created.isEmpty()) {
                throw new CloisterApiException("NO_EVENT", "the pool was created in block " + tx.status().height()
                        + " but its PoolCreated event is missing (`cloister pool status` lists the pools)");
            }
            long id = MiningCli.field(created.get(0), "pool");
            if (global.json) {
                printJson(JSON.createObjectNode().put("pool", id).put("owner", key.account().address()).put("commissionPpm", ppm)
                        .put("block", tx.status().height()));
                return 0;
            }
            table(new String[][] {
                {"pool", Long.toString(id)},
                {"owner", key.account().address()},
                {"commission", MiningCli.percent(ppm)},
                {"included", "block " + tx.status().height()},
                {"next", "./cloister pool add-worker " + id + " WORKER --as " + as + "   (you must also be the worker's operator)"},
            });
            return 0;
        }
    }

    @Command(name = "add-worker", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Add WORKER to POOL. Signed by the pool's owner, who must also be the worker's operator. A worker stays in its pool.")
    static final class AddWorker extends CliCommand {
        @Parameters(index = "0", paramLabel = "POOL", description = "Pool number.")
        String pool;

        @Parameters(index = "1", paramLabel = "WORKER", description = "Worker id (64 hex digits, or the first 8 or more); on a devnet also its name (worker-0, …).")
        String worker;

        @Option(names = "--as", required = true, paramLabel = "OWNER", description = "The pool's owner: dev name or key name.")
        String as;

        @Option(names = "--passphrase-file", paramLabel = "FILE", description = "Passphrase of a keystore signer.")
        Path passphraseFile;

        @Override
        public Integer call() {
            long id = MiningCli.poolNumber(this, pool);
            SigningKey key = signer("--as", as, passphraseFile);
            CloisterClient node = client();
            MinerInfo m = MiningCli.worker(this, node, worker);
            IncludedTx tx = MarketCli.send(this, node, key, new MiningCall.AddWorker(id, m.id()));
            if (tx == null) {
                return 1;
            }
            if (global.json) {
                printJson(JSON.createObjectNode().put("pool", id).put("worker", m.id().hex()).put("block", tx.status().height()));
                return 0;
            }
            table(new String[][] {
                {"pool", Long.toString(id)},
                {"worker", m.id().hex() + " (" + m.state() + ", P = " + (m.score() == 0 ? "none yet" : m.score()) + ")"},
                {"included", "block " + tx.status().height()},
                {"next", "./cloister miner start " + m.id().hex().substring(0, 16) + " --stake CLO --as " + as + "   (at least "
                    + (m.score() == 0 ? "k·√P once it has benchmarked" : MiningCli.clo(m.minimumStake())) + ")"},
            });
            return 0;
        }
    }

    @Command(name = "delegate", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Delegate AMOUNT CLO to POOL for shares at its current share price.")
    static final class Delegate extends CliCommand {
        @Parameters(index = "0", paramLabel = "POOL", description = "Pool number.")
        String pool;

        @Parameters(index = "1", paramLabel = "AMOUNT", description = "CLO to delegate, e.g. 500 or 0.5.")
        String amount;

        @Option(names = "--as", required = true, paramLabel = "SIGNER", description = "Who delegates: dev name or key name.")
        String as;

        @Option(names = "--passphrase-file", paramLabel = "FILE", description = "Passphrase of a keystore signer.")
        Path passphraseFile;

        @Override
        public Integer call() {
            long id = MiningCli.poolNumber(this, pool);
            long units = MiningCli.positiveAmount(this, "AMOUNT", amount);
            SigningKey key = signer("--as", as, passphraseFile);
            CloisterClient node = client();
            IncludedTx tx = MarketCli.send(this, node, key, new MiningCall.Delegate(id, units));
            if (tx == null) {
                return 1;
            }
            List<EventInfo> d = MiningCli.ofType(MiningCli.events(node, tx), "Delegated");
            long shares = d.isEmpty() ? 0 : MiningCli.field(d.get(0), "shares");
            DelegationInfo mine = node.delegation(id, key.account()).orElse(null);
            if (global.json) {
                ObjectNode n = JSON.createObjectNode().put("pool", id).put("who", key.account().address());
                MiningCli.amount(n, "amount", units);
                n.put("shares", Long.toString(shares)).put("totalShares", mine == null ? null : Long.toString(mine.shares()));
                printJson(n.put("block", tx.status().height()));
                return 0;
            }
            table(new String[][] {
                {"pool", Long.toString(id)},
                {"delegated", MiningCli.clo(units) + " from " + key.account().address()},
                {"shares", MiningCli.sharesText(shares) + " (you hold " + (mine == null ? "?" : MiningCli.sharesText(mine.shares()) + ", worth "
                    + MiningCli.clo(mine.value())) + ")"},
                {"included", "block " + tx.status().height()},
            });
            return 0;
        }
    }

    @Command(name = "withdraw", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Withdraw SHARES of your shares of POOL: paid now from its free stake, or queued (still earning) until stake"
                + " frees up — partly paid and partly queued if free stake covers only part. Says which.")
    static final class Withdraw extends CliCommand {
        @Parameters(index = "0", paramLabel = "POOL", description = "Pool number.")
        String pool;

        @Parameters(index = "1", paramLabel = "SHARES", description = "Shares as `pool status --as YOU` shows them (e.g. 100 or 0.5), or all.")
        String shares;

        @Option(names = "--as", required = true, paramLabel = "SIGNER", description = "Whose shares: dev name or key name.")
        String as;

        @Option(names = "--passphrase-file", paramLabel = "FILE", description = "Passphrase of a keystore signer.")
        Path passphraseFile;

        @Override
        public Integer call() {
            long id = MiningCli.poolNumber(this, pool);
            boolean all = shares.strip().equalsIgnoreCase("all");
            long units = all ? 0 : MiningCli.shares(this, shares);
            SigningKey key = signer("--as", as, passphraseFile);
            CloisterClient node = client();
            if (all) {
                DelegationInfo mine = node.delegation(id, key.account()).orElseThrow(() -> new CloisterApiException("UNKNOWN_POOL",
                        "no pool " + id + " (`cloister pool status` lists the pools)"));
                if (mine.withdrawableShares() == 0) {
                    throw new CloisterApiException("INSUFFICIENT_SHARES", key.account().address() + " holds no shares of pool " + id
                            + (mine.queuedShares() > 0 ? " that are not already queued for withdrawal" : ""));
                }
                units = mine.withdrawableShares();
            }
            IncludedTx tx = MarketCli.send(this, node, key, new MiningCall.Withdraw(id, units));
            if (tx == null) {
                return 1;
            }
            List<EventInfo> events = MiningCli.events(node, tx);
            String me = key.account().address();
            long paidShares = 0;
            long paid = 0;
            for (EventInfo e : MiningCli.ofType(events, "Withdrawn")) {
                if (me.equals(e.fields().get("who"))) {
                    paidShares += MiningCli.field(e, "shares");
                    paid += MiningCli.field(e, "amount");
                }
            }
            long queued = MiningCli.ofType(events, "WithdrawalQueued").stream().filter(e -> me.equals(e.fields().get("who")))
                    .mapToLong(e -> MiningCli.field(e, "shares")).sum();
            String outcome = queued == 0 ? "paid" : paidShares == 0 ? "queued" : "partly paid, rest queued";
            PoolInfo p = node.pool(id).orElse(null);
            long forcesStopAt = p == null ? -1 : p.queue().stream().filter(q -> q.who().equals(key.account()) && q.queuedAt() == tx.status().height())
                    .mapToLong(PoolInfo.Withdrawal::forcesStopAt).findFirst().orElse(-1);
            if (global.json) {
                ObjectNode n = JSON.createObjectNode().put("pool", id).put("who", me).put("outcome", outcome)
                        .put("shares", Long.toString(units)).put("paidShares", Long.toString(paidShares));
                MiningCli.amount(n, "paid", paid);
                n.put("queuedShares", Long.toString(queued));
                if (forcesStopAt >= 0) {
                    n.put("forcesStopAt", forcesStopAt);
                }
                printJson(n.put("block", tx.status().height()));
                return 0;
            }
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"pool", Long.toString(id)});
            rows.add(new String[] {"withdrawal", MiningCli.sharesText(units) + " shares: " + outcome});
            if (paidShares > 0) {
                rows.add(new String[] {"paid", MiningCli.clo(paid) + " for " + MiningCli.sharesText(paidShares) + " shares, to " + me});
            }
            if (queued > 0) {
                rows.add(new String[] {"queued", MiningCli.sharesText(queued) + " shares wait for free stake (they keep earning)"
                    + (forcesStopAt >= 0 ? "; still waiting at block " + forcesStopAt + ", they make the pool stop workers" : "")});
            }
            rows.add(new String[] {"included", "block " + tx.status().height()});
            table(rows.toArray(String[][]::new));
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Every stake pool (or POOL in full): owner, commission, total, free and locked stake, shares and share price,"
                + " workers and their states, withdrawal queue; with --as/--account, that account's shares and their value.")
    static final class Status extends CliCommand {
        @Parameters(arity = "0..1", paramLabel = "POOL", description = "Pool number.")
        String pool;

        @Option(names = {"--as", "--account"}, paramLabel = "ACCOUNT", description = "Also show this account's shares (dev name, key name or address).")
        String account;

        @Override
        public Integer call() {
            AccountId who = MiningCli.accountOrNull(this, "--account", account);
            CloisterClient node = client();
            List<PoolInfo> pools = pool != null ? List.of(MiningCli.pool(node, MiningCli.poolNumber(this, pool))) : node.pools();
            if (global.json) {
                ArrayNode a = JSON.createArrayNode();
                for (PoolInfo p : pools) {
                    a.add(MiningCli.json(p, who == null ? null : node.delegation(p.id(), who).orElse(null)));
                }
                printJson(pool != null ? a.get(0) : JSON.createObjectNode().set("pools", a));
                return 0;
            }
            if (pools.isEmpty()) {
                out().println("no stake pools (`cloister pool create --commission PERCENT --as OWNER` creates one)");
                return 0;
            }
            if (pool == null) {
                for (PoolInfo p : pools) {
                    out().println(MiningCli.poolLine(p, who == null ? null : node.delegation(p.id(), who).orElse(null)));
                }
                return 0;
            }
            PoolInfo p = pools.get(0);
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"pool", Long.toString(p.id())});
            rows.add(new String[] {"owner", p.owner().address()});
            rows.add(new String[] {"account", p.account().address() + " (holds the stake; nobody has its key)"});
            rows.add(new String[] {"commission", MiningCli.percent(p.commissionPpm())});
            rows.add(new String[] {"total stake", MiningCli.clo(p.totalStake())});
            rows.add(new String[] {"free", MiningCli.clo(p.freeStake()) + " (for new workers and withdrawals)"});
            rows.add(new String[] {"locked", MiningCli.clo(p.lockedStake()) + " (by computing and cooling workers)"});
            rows.add(new String[] {"shares", MiningCli.sharesText(p.totalShares()) + " at " + p.sharePrice() + " CLO per share"});
            rows.add(new String[] {"rewards received", MiningCli.clo(p.rewardsReceived()) + " (before commission)"});
            rows.add(new String[] {"workers", p.workers().isEmpty() ? "none" : Integer.toString(p.workers().size())});
            rows.add(new String[] {"withdrawal queue", p.queue().isEmpty() ? "empty" : p.queue().size() + " waiting"});
            if (who != null) {
                DelegationInfo d = node.delegation(p.id(), who).orElseThrow();
                rows.add(new String[] {"yours", MiningCli.sharesText(d.shares()) + " shares = " + MiningCli.clo(d.value())
                    + (d.queuedShares() > 0 ? " (" + MiningCli.sharesText(d.queuedShares()) + " queued for withdrawal)" : "")
                    + " — " + who.address()});
            }
            table(rows.toArray(String[][]::new));
            for (PoolInfo.Worker w : p.workers()) {
                out().println(String.format("  worker %s…  %-12s  P %5d  stake %s  V %s", w.id().hex().substring(0, 16), w.state(), w.score(),
                        MiningCli.clo(w.stake()), MiningCli.clo(w.v())));
            }
            for (PoolInfo.Withdrawal q : p.queue()) {
                out().println(String.format("  queued %s  %s shares (worth %s)  since block %d, forces stops at block %d",
                        ReadCommands.shortAddress(q.who()), MiningCli.sharesText(q.shares()), MiningCli.clo(q.value()), q.queuedAt(), q.forcesStopAt()));
            }
            return 0;
        }
    }
}
