package cloister.node.cli;

import cloister.common.Hash;
import cloister.common.Tokens;
import cloister.crypto.AccountId;
import cloister.sdk.AccountInfo;
import cloister.sdk.BlockInfo;
import cloister.sdk.CloisterClient;
import cloister.sdk.EventInfo;
import cloister.sdk.HeadInfo;
import cloister.sdk.TxInfo;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Read-only commands: head, block, events, account. */
final class ReadCommands {
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,18}");
    private static final Pattern HASH = Pattern.compile("(0x)?[0-9a-fA-F]{64}");

    private ReadCommands() {}

    static ObjectNode headJson(HeadInfo h) {
        return CliCommand.JSON.createObjectNode().put("height", h.height()).put("hash", h.hash().hex())
                .put("parentHash", h.parentHash().hex()).put("timestamp", h.timestamp())
                .put("stateRoot", h.stateRoot().hex()).put("proposer", h.proposer().address()).put("txCount", h.txCount());
    }

    static String[][] headRows(HeadInfo h) {
        return new String[][] {
            {"height", Long.toString(h.height())},
            {"hash", h.hash().hex()},
            {"parent", h.parentHash().hex()},
            {"time", Instant.ofEpochMilli(h.timestamp()).toString()},
            {"state root", h.stateRoot().hex()},
            {"proposer", h.proposer().address()},
            {"transactions", Integer.toString(h.txCount())},
        };
    }

    @Command(name = "head", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Show the head block's header.")
    static final class Head extends CliCommand {
        @Override
        public Integer call() {
            HeadInfo h = client().head();
            if (global.json) {
                printJson(headJson(h));
            } else {
                table(headRows(h));
            }
            return 0;
        }
    }

    @Command(name = "block", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Show a block and its transactions (default: the head).")
    static final class Block extends CliCommand {
        @Parameters(arity = "0..1", paramLabel = "HEIGHT|HASH", description = "Block height or 64-digit hex hash.")
        String id;

        @Override
        public Integer call() {
            CloisterClient c = client();
            BlockInfo b;
            if (id == null) {
                b = c.block(c.head().height());
            } else if (DIGITS.matcher(id).matches()) {
                b = c.block(Long.parseLong(id));
            } else if (HASH.matcher(id).matches()) {
                b = c.block(Hash.fromHex(id));
            } else {
                throw usage("'" + id + "' is neither a block height nor a 64-digit hex block hash");
            }
            if (global.json) {
                ObjectNode n = headJson(b.header());
                ArrayNode txs = n.putArray("transactions");
                for (TxInfo t : b.transactions()) {
                    ObjectNode tx = txs.addObject().put("hash", t.hash().hex()).put("sender", t.sender().address())
                            .put("nonce", t.nonce()).put("fee", Long.toString(t.fee())).put("call", t.call());
                    ObjectNode args = tx.putObject("args");
                    t.args().forEach(args::put);
                }
                printJson(n);
                return 0;
            }
            table(headRows(b.header()));
            if (!b.transactions().isEmpty()) {
                out().println();
                out().println(String.format("%-3s  %-16s  %-20s  %5s  %-18s  %s", "#", "hash", "sender", "nonce", "call", "args"));
                int i = 0;
                for (TxInfo t : b.transactions()) {
                    out().println(String.format("%-3d  %-16s  %-20s  %5d  %-18s  %s", i++, t.hash().hex().substring(0, 16),
                            shortAddress(t.sender()), t.nonce(), t.call(), args(t.args())));
                }
            }
            return 0;
        }
    }

    @Command(name = "events", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Show the events of a block (default: the head).")
    static final class Events extends CliCommand {
        @Option(names = "--block", paramLabel = "HEIGHT", description = "Block height (default: head).")
        Long height;

        @Override
        public Integer call() {
            CloisterClient c = client();
            if (height != null && height < 0) {
                throw usage("block height must not be negative");
            }
            long h = height != null ? height : c.head().height();
            List<EventInfo> events = c.events(h);
            if (global.json) {
                ObjectNode n = JSON.createObjectNode().put("height", h);
                ArrayNode arr = n.putArray("events");
                for (EventInfo e : events) {
                    ObjectNode o = arr.addObject();
                    if (e.txIndex() < 0) {
                        o.putNull("txIndex");
                    } else {
                        o.put("txIndex", e.txIndex());
                    }
                    o.put("type", e.type());
                    ObjectNode f = o.putObject("fields");
                    e.fields().forEach(f::put);
                }
                printJson(n);
                return 0;
            }
            out().println("block " + h + ": " + events.size() + (events.size() == 1 ? " event" : " events"));
            for (EventInfo e : events) {
                out().println(String.format("  %-5s %-18s %s", e.txIndex() < 0 ? "block" : "tx " + e.txIndex(), e.type(),
                        args(e.fields())));
            }
            return 0;
        }
    }

    @Command(name = "account", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Show an account's balance and nonce.")
    static final class Account extends CliCommand {
        @Parameters(paramLabel = "ACCOUNT", description = "Dev name (alice…), key name, clo1 address or hex key.")
        String account;

        @Override
        public Integer call() {
            AccountId id;
            try {
                id = resolver().account(account);
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
            AccountInfo a = client().account(id);
            if (global.json) {
                printJson(JSON.createObjectNode().put("address", id.address()).put("publicKeyHex", id.hex()).put("balance", Long.toString(a.balance()))
                        .put("balanceCLO", Tokens.format(a.balance())).put("nonce", a.nonce()).put("nextNonce", a.nextNonce()));
            } else {
                table(new String[][] {
                    {"address", id.address()},
                    {"balance", Tokens.format(a.balance()) + " " + Tokens.SYMBOL},
                    {"nonce", Long.toString(a.nonce())},
                    {"next nonce", Long.toString(a.nextNonce())},
                });
            }
            return 0;
        }
    }

    static String shortAddress(AccountId a) {
        String s = a.address();
        return s.substring(0, 10) + "…" + s.substring(s.length() - 6);
    }

    /** {@code k=v k=v}, with unit amounts shown in CLO when a *CLO twin is present. */
    static String args(Map<String, String> fields) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : fields.entrySet()) {
            String k = e.getKey();
            if (fields.containsKey(k + "CLO")) {
                continue;
            }
            String v = e.getValue();
            if (k.endsWith("CLO")) {
                k = k.substring(0, k.length() - 3);
                v = v + " " + Tokens.SYMBOL;
            }
            if (!sb.isEmpty()) {
                sb.append("  ");
            }
            sb.append(k).append('=').append(v);
        }
        return sb.toString();
    }
}
