package cloister.node.cli;

import cloister.common.Tokens;
import cloister.crypto.AccountId;
import cloister.proto.MiningCall;
import cloister.proto.WorkerId;
import cloister.sdk.CloisterApiException;
import cloister.sdk.CloisterClient;
import cloister.sdk.DelegationInfo;
import cloister.sdk.EventInfo;
import cloister.sdk.IncludedTx;
import cloister.sdk.MinerInfo;
import cloister.sdk.PoolInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** What the {@code miner} and {@code pool} commands share: worker and pool arguments, amounts, events of a call, printing. */
final class MiningCli {
    private static final Pattern HEX_PREFIX = Pattern.compile("(0x)?[0-9a-fA-F]{8,64}");
    private static final Pattern DEVNET_NAME = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)+");
    private static final Pattern NUMBER = Pattern.compile("[0-9]{1,18}");

    private MiningCli() {}

    // ---------------------------------------------------------------- arguments

    /**
     * A registered worker by its 64-digit hex id, by a unique prefix of at least 8 hex digits (the 16 that
     * {@code miner status} shows), or on a devnet by its name ({@code worker-0}, as {@code worker ls} lists them);
     * {@code UNKNOWN_WORKER} if none matches.
     */
    static MinerInfo worker(CliCommand c, CloisterClient node, String text) {
        String t = text.strip();
        if (!HEX_PREFIX.matcher(t).matches()) {
            if (DEVNET_NAME.matcher(t).matches()) {
                return devnetWorker(node, t);
            }
            throw c.usage("WORKER: '" + text + "' is not a worker id (64 hex digits, or the first 8 or more of them)"
                    + " or a devnet worker's name (worker-0, …)");
        }
        String hex = (t.startsWith("0x") ? t.substring(2) : t).toLowerCase(Locale.ROOT);
        if (hex.length() == 64) {
            WorkerId id = WorkerId.parse(hex);
            return node.miner(id).orElseThrow(() -> new CloisterApiException("UNKNOWN_WORKER", "worker " + id.hex()
                    + " is not registered (`cloister miner status` lists the workers)"));
        }
        List<MinerInfo> matches = node.miners().stream().filter(m -> m.id().hex().startsWith(hex)).toList();
        if (matches.isEmpty()) {
            throw new CloisterApiException("UNKNOWN_WORKER", "no registered worker's id starts with " + hex
                    + " (`cloister miner status` lists the workers)");
        }
        if (matches.size() > 1) {
            throw c.usage("WORKER: " + hex + " is the start of " + matches.size() + " workers' ids; give more digits");
        }
        return matches.get(0);
    }

    /** A devnet's embedded worker by its name ({@code worker ls}), through the devnet's control route. */
    private static MinerInfo devnetWorker(CloisterClient node, String name) {
        JsonNode workers;
        try {
            workers = DevnetControlCommand.call(node.baseUrl(), "GET", "/v1/devnet/workers").path("workers");
        } catch (CloisterApiException e) {
            if (e.code().equals("NOT_A_DEVNET")) {
                throw new CloisterApiException("UNKNOWN_WORKER", "'" + name + "' is not a worker id, and the node at " + node.baseUrl()
                        + " is not a devnet, so it has no named workers (give 8 or more hex digits of the id; `cloister miner status` lists them)");
            }
            throw e;
        } catch (java.io.IOException e) {
            throw new CloisterApiException("NODE_UNREACHABLE", "could not ask the node at " + node.baseUrl() + " for its workers: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CloisterApiException("INTERRUPTED", "interrupted while asking the node for its workers");
        }
        List<String> names = new java.util.ArrayList<>();
        for (JsonNode w : workers) {
            names.add(w.path("name").asText());
            if (w.path("name").asText().equals(name)) {
                WorkerId id = WorkerId.parse(w.path("id").asText());
                return node.miner(id).orElseThrow(() -> new CloisterApiException("UNKNOWN_WORKER", name + " (" + id.hex()
                        + ") is not registered yet; it registers while the devnet starts"));
            }
        }
        throw new CloisterApiException("UNKNOWN_WORKER", "no worker '" + name + "'; the devnet's workers are " + String.join(", ", names));
    }

    static long poolNumber(CliCommand c, String text) {
        if (!NUMBER.matcher(text.strip()).matches()) {
            throw c.usage("POOL: '" + text + "' is not a pool number (`cloister pool status` lists the pools)");
        }
        return Long.parseLong(text.strip());
    }

    static PoolInfo pool(CloisterClient node, long id) {
        return node.pool(id).orElseThrow(() -> new CloisterApiException("UNKNOWN_POOL", "no pool " + id
                + " (`cloister pool status` lists the pools)"));
    }

    /** A positive amount of CLO as base units. */
    static long positiveAmount(CliCommand c, String what, String text) {
        long units = MarketCli.amount(c, what, text);
        if (units == 0) {
            throw c.usage(what + " must be positive");
        }
        return units;
    }

    /**
     * Share units from a decimal number of shares as {@code pool status} prints them (9 decimals, like CLO: a pool's
     * first delegation buys one share per CLO).
     */
    static long shares(CliCommand c, String text) {
        try {
            long units = Tokens.parse(text);
            if (units == 0) {
                throw c.usage("SHARES must be positive");
            }
            return units;
        } catch (IllegalArgumentException e) {
            throw c.usage("SHARES: " + e.getMessage().replace("amount", "shares") + " (a number of shares as `pool status` shows them, or all)");
        }
    }

    /** A commission given in percent (at most 4 decimals) as millionths. */
    static int commissionPpm(CliCommand c, String percent) {
        BigDecimal d;
        try {
            d = new BigDecimal(percent.strip().endsWith("%") ? percent.strip().substring(0, percent.strip().length() - 1) : percent.strip());
        } catch (NumberFormatException e) {
            throw c.usage("--commission: '" + percent + "' is not a percentage");
        }
        BigDecimal ppm = d.movePointRight(4);
        if (d.signum() < 0 || ppm.compareTo(BigDecimal.valueOf(MiningCall.MAX_COMMISSION)) > 0) {
            throw c.usage("--commission is 0 to 100 (percent)");
        }
        if (ppm.stripTrailingZeros().scale() > 0) {
            throw c.usage("--commission has at most 4 decimals (the chain keeps it in millionths)");
        }
        return ppm.intValueExact();
    }

    // ---------------------------------------------------------------- events of a call

    /** The events {@code tx} caused (in its block, at its index). */
    static List<EventInfo> events(CloisterClient node, IncludedTx tx) {
        return node.events(tx.status().height()).stream().filter(e -> e.txIndex() == tx.status().index()).toList();
    }

    static List<EventInfo> ofType(List<EventInfo> events, String type) {
        return events.stream().filter(e -> e.type().equals(type)).toList();
    }

    static long field(EventInfo e, String name) {
        return Long.parseLong(e.fields().getOrDefault(name, "0"));
    }

    // ---------------------------------------------------------------- printing

    static String clo(long units) {
        return Tokens.display(units);
    }

    /** An amount for a table column: CLO with 2 decimals, rounded down. */
    static String cloShort(long units) {
        return BigDecimal.valueOf(units).movePointLeft(Tokens.DECIMALS).setScale(2, RoundingMode.DOWN).toPlainString();
    }

    static String sharesText(long units) {
        return Tokens.format(units);
    }

    static String percent(int ppm) {
        return BigDecimal.valueOf(ppm, 4).stripTrailingZeros().toPlainString() + " %";
    }

    static void amount(ObjectNode n, String field, long units) {
        n.put(field, Long.toString(units));
        n.put(field + "CLO", Tokens.format(units));
    }

    private static void height(ObjectNode n, String field, long h) {
        if (h >= 0) {
            n.put(field, h);
        } else {
            n.putNull(field);
        }
    }

    /** A worker's mining record as {@code miner status --json} prints it (the API's field names). */
    static ObjectNode json(MinerInfo m) {
        ObjectNode n = CliCommand.JSON.createObjectNode().put("id", m.id().hex()).put("short", m.id().hex().substring(0, 16))
                .put("operator", m.operator().address()).put("confidenceLevel", m.confidenceLevel());
        height(n, "pool", m.pool());
        n.put("state", m.state()).put("score", m.score()).put("instantScore", m.instantScore()).put("iterationsPerSecond", m.iterationsPerSecond());
        height(n, "benchmarkUntil", m.benchmarkUntil());
        amount(n, "v", m.v());
        amount(n, "vInit", m.vInit());
        amount(n, "stake", m.stake());
        amount(n, "minimumStake", m.minimumStake());
        amount(n, "share", m.share());
        amount(n, "accrued", m.accrued());
        amount(n, "rewards", m.rewards());
        amount(n, "storageRewards", m.storageRewards());
        amount(n, "rewardsTotal", m.rewardsTotal());
        n.put("heartbeats", m.heartbeats());
        if (m.challengeAt() >= 0) {
            n.putObject("challenge").put("issuedAt", m.challengeAt()).put("deadline", m.challengeDeadline());
        } else {
            n.putNull("challenge");
        }
        height(n, "unresponsiveSince", m.unresponsiveSince());
        height(n, "coolingUntil", m.coolingUntil());
        n.put("forcedStop", m.forcedStop());
        height(n, "startedAt", m.startedAt());
        return n;
    }

    /** The header and one row per worker of {@code miner status}. */
    static String minerHeader() {
        return String.format("%-16s  %-17s  %4s  %-12s  %5s  %5s  %10s  %10s  %10s  %10s  %10s  %10s  %4s  %-9s  %s", "WORKER", "OPERATOR",
                "POOL", "STATE", "P", "P_t", "V", "V_INIT", "STAKE", "MIN_STAKE", "SHARE", "REWARDS", "HB", "CHALLENGE", "COOLING");
    }

    static String minerRow(MinerInfo m, long head) {
        return String.format("%-16s  %-17s  %4s  %-12s  %5d  %5d  %10s  %10s  %10s  %10s  %10s  %10s  %4d  %-9s  %s",
                m.id().hex().substring(0, 16), ReadCommands.shortAddress(m.operator()), m.pool() < 0 ? "-" : Long.toString(m.pool()), m.state(),
                m.score(), m.instantScore(), cloShort(m.v()), cloShort(m.vInit()), cloShort(m.stake()), cloShort(m.minimumStake()),
                cloShort(m.share()), cloShort(m.rewardsTotal()), m.heartbeats(), m.challengeAt() < 0 ? "-" : "by #" + m.challengeDeadline(),
                cooling(m, head));
    }

    static String cooling(MinerInfo m, long head) {
        if (m.coolingUntil() < 0) {
            return "-";
        }
        return "#" + m.coolingUntil() + (m.coolingUntil() > head ? " (" + (m.coolingUntil() - head) + " blocks)" : " (reclaimable)");
    }

    /** Every field of one worker, as label/value rows. */
    static String[][] details(MinerInfo m, long head) {
        return new String[][] {
            {"worker", m.id().hex()},
            {"operator", m.operator().address()},
            {"pool", m.pool() < 0 ? "none (`cloister pool add-worker POOL " + m.id().hex().substring(0, 16) + " --as OPERATOR`)" : Long.toString(m.pool())},
            {"state", m.state() + (m.forcedStop() ? " (stopped by the pool's overdue withdrawals)" : "")},
            {"P (score)", m.score() == 0 ? "none yet" + (m.benchmarkUntil() >= 0 ? " (benchmark due by block " + m.benchmarkUntil() + ")" : "")
                : m.score() + " (" + m.iterationsPerSecond() + " iterations/s)" + (m.benchmarkUntil() >= 0
                    ? "; re-benchmark due by block " + m.benchmarkUntil() : "")},
            {"P_t (instant)", Integer.toString(m.instantScore())},
            {"V now", clo(m.v())},
            {"initial V", clo(m.vInit())},
            {"stake", clo(m.stake())},
            {"minimum stake", clo(m.minimumStake()) + (m.score() == 0 ? "" : " (k·√P for P = " + m.score() + ")")},
            {"share", clo(m.share())},
            {"accrued", clo(m.accrued()) + " (paid at the next heartbeat)"},
            {"rewards", clo(m.rewards()) + " mining + " + clo(m.storageRewards()) + " storage = " + clo(m.rewardsTotal())},
            {"heartbeats", Long.toString(m.heartbeats())},
            {"challenge", m.challengeAt() < 0 ? "none outstanding" : "issued at block " + m.challengeAt() + ", answer by block " + m.challengeDeadline()},
            {"unresponsive", m.unresponsiveSince() < 0 ? "no" : "since block " + m.unresponsiveSince() + " (V falls each block)"},
            {"cooling until", cooling(m, head)},
            {"head", "block " + head},
        };
    }

    /** A pool as {@code pool status --json} prints it; with {@code who}'s position if given. */
    static ObjectNode json(PoolInfo p, DelegationInfo who) {
        ObjectNode n = CliCommand.JSON.createObjectNode().put("id", p.id()).put("owner", p.owner().address()).put("account", p.account().address())
                .put("commissionPpm", p.commissionPpm()).put("commissionPercent", BigDecimal.valueOf(p.commissionPpm(), 4).stripTrailingZeros().toPlainString());
        amount(n, "totalStake", p.totalStake());
        amount(n, "freeStake", p.freeStake());
        amount(n, "lockedStake", p.lockedStake());
        n.put("totalShares", Long.toString(p.totalShares())).put("sharePrice", p.sharePrice());
        amount(n, "rewardsReceived", p.rewardsReceived());
        ArrayNode ws = n.putArray("workers");
        for (PoolInfo.Worker w : p.workers()) {
            ObjectNode x = ws.addObject().put("id", w.id().hex()).put("state", w.state()).put("score", w.score());
            amount(x, "stake", w.stake());
            amount(x, "v", w.v());
        }
        ArrayNode q = n.putArray("withdrawalQueue");
        for (PoolInfo.Withdrawal w : p.queue()) {
            ObjectNode x = q.addObject().put("who", w.who().address()).put("shares", Long.toString(w.shares()));
            amount(x, "value", w.value());
            x.put("queuedAt", w.queuedAt()).put("forcesStopAt", w.forcesStopAt());
        }
        if (who != null) {
            ObjectNode d = n.putObject("you").put("account", who.account().address()).put("shares", Long.toString(who.shares()))
                    .put("queuedShares", Long.toString(who.queuedShares())).put("withdrawableShares", Long.toString(who.withdrawableShares()));
            amount(d, "value", who.value());
        }
        return n;
    }

    static String poolLine(PoolInfo p, DelegationInfo who) {
        long computing = p.workers().stream().filter(w -> w.state().equals("idle") || w.state().equals("unresponsive")).count();
        return String.format("pool %-3d  owner %s  commission %s  stake %s (free %s, locked %s)  %d worker%s (%d computing)  price %s%s%s",
                p.id(), ReadCommands.shortAddress(p.owner()), percent(p.commissionPpm()), cloShort(p.totalStake()), cloShort(p.freeStake()),
                cloShort(p.lockedStake()), p.workers().size(), p.workers().size() == 1 ? "" : "s", computing, p.sharePrice(),
                p.queue().isEmpty() ? "" : "  " + p.queue().size() + " queued withdrawal" + (p.queue().size() == 1 ? "" : "s"),
                who == null || who.shares() == 0 ? "" : "  yours: " + sharesText(who.shares()) + " shares = " + clo(who.value()));
    }

    static AccountId accountOrNull(CliCommand c, String option, String name) {
        return name == null ? null : c.account(option, name);
    }
}
