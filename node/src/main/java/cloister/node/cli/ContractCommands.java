package cloister.node.cli;

import cloister.common.Hash;
import cloister.common.Hex;
import cloister.crypto.SigningKey;
import cloister.proto.ContractId;
import cloister.sdk.CloisterClient;
import cloister.sdk.ConfidentialClient;
import cloister.sdk.ContractInfo;
import cloister.sdk.TxStatusInfo;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cloister contract}: any confidential contract, with raw (hex) commands and queries. */
@Command(name = "contract", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Confidential contracts: list, inspect, send encrypted commands and encrypted queries (hex payloads).",
        subcommands = {ContractCommands.ListContracts.class, ContractCommands.Info.class, ContractCommands.Send.class, ContractCommands.Query.class})
final class ContractCommands implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand: list, info, command or query");
    }

    static ContractId parseId(CliCommand cmd, String text) {
        try {
            return ContractId.parse(text);
        } catch (IllegalArgumentException e) {
            throw cmd.usage("CONTRACT: not a contract id (64 hex digits)");
        }
    }

    static byte[] parsePayload(CliCommand cmd, String hex) {
        try {
            return Hex.decode(hex.startsWith("0x") ? hex.substring(2) : hex);
        } catch (IllegalArgumentException e) {
            throw cmd.usage("PAYLOAD: not hex (" + e.getMessage() + ")");
        }
    }

    static ObjectNode json(ContractInfo c) {
        ObjectNode n = CliCommand.JSON.createObjectNode().put("id", c.id().hex()).put("kind", c.kind()).put("cluster", c.cluster())
                .put("keyEpoch", c.keyEpoch()).put("publicKey", c.publicKey().map(k -> k.hex()).orElse(null));
        ArrayNode w = n.putArray("workers");
        c.workers().forEach(x -> w.add(x.hex()));
        return n;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, description = "List deployed contracts.")
    static final class ListContracts extends CliCommand {
        @Override
        public Integer call() {
            var all = client().contracts();
            if (global.json) {
                ArrayNode arr = JSON.createArrayNode();
                all.forEach(c -> arr.add(json(c)));
                printJson(arr);
            } else if (all.isEmpty()) {
                out().println("no contracts deployed");
            } else {
                for (ContractInfo c : all) {
                    out().println(c.id().hex() + "  " + c.kind() + "  cluster " + c.cluster() + "  " + c.workers().size() + " workers"
                            + (c.publicKey().isPresent() ? "" : "  (key not published yet)"));
                }
            }
            return 0;
        }
    }

    @Command(name = "info", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, description = "Show one contract.")
    static final class Info extends CliCommand {
        @Parameters(paramLabel = "CONTRACT", description = "Contract id (64 hex digits).")
        String id;

        @Override
        public Integer call() {
            ContractInfo c = client().contract(parseId(this, id));
            if (global.json) {
                printJson(json(c));
            } else {
                table(new String[][] {
                    {"contract", c.id().hex()}, {"kind", c.kind()}, {"cluster", String.valueOf(c.cluster())},
                    {"key epoch", String.valueOf(c.keyEpoch())},
                    {"public key", c.publicKey().map(k -> k.hex()).orElse("(not published yet)")},
                    {"workers", String.join(", ", c.workers().stream().map(w -> w.hex().substring(0, 16) + "…").toList())},
                });
            }
            return 0;
        }
    }

    /** A signed call to a contract: who, which contract, what bytes. */
    abstract static class ContractCall extends CliCommand {
        @Option(names = "--as", required = true, paramLabel = "SIGNER", description = "Who you are: dev name or key name.")
        String as;

        @Option(names = "--passphrase-file", paramLabel = "FILE", description = "Passphrase of a keystore signer.")
        Path passphraseFile;

        @Parameters(index = "0", paramLabel = "CONTRACT", description = "Contract id.")
        String id;

        @Parameters(index = "1", paramLabel = "PAYLOAD", description = "The bytes for the contract, hex.")
        String payload;

        SigningKey signer() {
            try {
                return resolver().signer(as, () -> passphrase(passphraseFile, "key '" + as + "'", false));
            } catch (IllegalArgumentException e) {
                throw usage("--as: " + e.getMessage());
            }
        }
    }

    @Command(name = "command", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Encrypt a command to the contract's key, send it on chain, wait for a worker's outcome.")
    static final class Send extends ContractCall {
        @Override
        public Integer call() {
            ContractId contract = parseId(this, id);
            byte[] bytes = parsePayload(this, payload);
            SigningKey key = signer();
            CloisterClient c = client();
            ConfidentialClient cc = new ConfidentialClient(c);
            Hash tx = cc.command(key, contract, bytes, c.chainInfo().minimumFee());
            TxStatusInfo s = c.waitForInclusion(tx, Duration.ofSeconds(60));
            if (!s.success()) {
                ctx.err().println("error: " + s.failureReason() + ": included in block " + s.height() + " but refused by the chain");
                return 1;
            }
            ConfidentialClient.CommandResult r = cc.commandOutcome(contract, tx, Duration.ofSeconds(60));
            if (global.json) {
                printJson(JSON.createObjectNode().put("transaction", tx.hex()).put("height", s.height()).put("ok", r.ok())
                        .put("code", r.code()).put("message", r.message()));
            } else {
                table(new String[][] {{"transaction", tx.hex()}, {"block", String.valueOf(s.height())},
                    {"result", r.ok() ? "ok" : "REFUSED: " + r.code() + ": " + r.message()}});
            }
            if (!r.ok()) {
                ctx.err().println("error: " + r.code() + ": " + r.message());
                return 1;
            }
            return 0;
        }
    }

    @Command(name = "query", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Send an encrypted, signed query to a worker of the contract; print its verified answer (hex).")
    static final class Query extends ContractCall {
        @Override
        public Integer call() {
            ContractId contract = parseId(this, id);
            byte[] bytes = parsePayload(this, payload);
            SigningKey key = signer();
            ConfidentialClient.QueryAnswer a = new ConfidentialClient(client()).query(key, contract, bytes);
            if (global.json) {
                printJson(JSON.createObjectNode().put("answer", Hex.encode(a.answer())).put("worker", a.worker().hex())
                        .put("simulated", a.simulated()));
            } else {
                table(new String[][] {{"answer", Hex.encode(a.answer())},
                    {"signed by", "worker " + a.worker().hex() + (a.simulated() ? " (sim: no hardware protection)" : "")}});
            }
            return 0;
        }
    }
}
