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
        subcommands = {ContractCommands.ListContracts.class, ContractCommands.Info.class, ContractCommands.Upload.class,
            ContractCommands.Instantiate.class, ContractCommands.Upgrade.class, ContractCommands.Send.class, ContractCommands.Query.class,
            ContractCommands.Examples.class})
final class ContractCommands implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "missing subcommand: list, info, upload, instantiate, upgrade, command, query or examples");
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
                .put("keyEpoch", c.keyEpoch()).put("publicKey", c.publicKey().map(k -> k.hex()).orElse(null))
                .put("owner", c.owner().map(a -> a.address()).orElse(null)).put("codeHash", c.codeHash().map(h -> h.hex()).orElse(null));
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
                    {"owner", c.owner().map(a -> a.address()).orElse("(system contract: governance)")},
                    {"code hash", c.codeHash().map(h -> h.hex()).orElse("(Java system contract)")},
                });
            }
            return 0;
        }
    }

    /** A signed call to a contract: who, which contract, what bytes. */
    abstract static class ContractCall extends SignedCall {
        @Parameters(index = "0", paramLabel = "CONTRACT", description = "Contract id.")
        String id;

        @Parameters(index = "1", paramLabel = "PAYLOAD", description = "The bytes for the contract, hex.")
        String payload;
    }

    /** Submits a transaction signed by {@code --as}, waits for its block; a failed call exits 1 with the chain's reason. */
    abstract static class SignedCall extends CliCommand {
        @Option(names = "--as", required = true, paramLabel = "SIGNER", description = "Who you are: dev name or key name.")
        String as;

        @Option(names = "--passphrase-file", paramLabel = "FILE", description = "Passphrase of a keystore signer.")
        Path passphraseFile;

        SigningKey signer() {
            return signer("--as", as, passphraseFile);
        }

        /** The transaction {@link #submitAndWait} sent last. */
        Hash lastTx;

        /** Signs and submits {@code call}, waits for its block; returns null if it succeeded, else why it failed. */
        String submitAndWait(CloisterClient c, cloister.proto.Call call, SigningKey key) {
            Included r = CliCommand.include(c, call, key);
            lastTx = r.hash();
            return r.failure();
        }
    }

    @Command(name = "upload", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Upload a WebAssembly module (checked on chain: valid Wasm, known host imports, ≤ 128 KiB); prints its code hash.")
    static final class Upload extends SignedCall {
        @Parameters(paramLabel = "FILE", description = "The .wasm file.")
        Path file;

        @Override
        public Integer call() throws Exception {
            if (!java.nio.file.Files.isRegularFile(file)) {
                throw usage("FILE: " + file + " is not a file");
            }
            if (java.nio.file.Files.size(file) > cloister.proto.ContractsCall.MAX_CODE) {
                throw usage("FILE: " + java.nio.file.Files.size(file) + " bytes; a contract is at most " + cloister.proto.ContractsCall.MAX_CODE);
            }
            byte[] code = java.nio.file.Files.readAllBytes(file);
            Hash hash = cloister.crypto.Sha256.hash(code);
            CloisterClient c = client();
            SigningKey key = signer();
            // Code is stored by hash: the same module uploaded again would only be refused (and cost a fee).
            boolean existed = c.codeUploaded(hash);
            if (!existed) {
                String failed = submitAndWait(c, new cloister.proto.ContractsCall.UploadCode(code), key);
                if (failed != null) {
                    ctx.err().println("error: " + failed);
                    return 1;
                }
            }
            if (global.json) {
                printJson(JSON.createObjectNode().put("codeHash", hash.hex()).put("bytes", code.length).put("alreadyUploaded", existed));
            } else {
                table(new String[][] {{"code hash", hash.hex()}, {"size", code.length + " bytes" + (existed ? " (already uploaded; nothing sent)" : "")}});
            }
            return 0;
        }
    }

    @Command(name = "instantiate", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Instantiate uploaded code in a cluster; constructor arguments are sealed to the cluster's key. Prints the contract id.")
    static final class Instantiate extends SignedCall {
        @Parameters(paramLabel = "CODE_HASH", description = "The code hash printed by `contract upload`.")
        String codeHash;

        @Option(names = "--cluster", paramLabel = "N", defaultValue = "0", description = "Cluster (default: ${DEFAULT-VALUE}).")
        int cluster;

        @Option(names = "--salt", paramLabel = "HEX", defaultValue = "", description = "Up to 32 bytes that make the contract id unique.")
        String salt;

        @Option(names = "--args", paramLabel = "HEX", defaultValue = "", description = "Constructor input bytes (sealed before sending).")
        String args;

        @Option(names = "--gas-limit", paramLabel = "GAS", defaultValue = "10000000", description = "Gas for the constructor (default: ${DEFAULT-VALUE}).")
        long gasLimit;

        @Option(names = "--gas-price", paramLabel = "UNITS", defaultValue = "1", description = "Units per gas (default: ${DEFAULT-VALUE}).")
        long gasPrice;

        @Override
        public Integer call() {
            Hash code;
            try {
                code = Hash.fromHex(codeHash.startsWith("0x") ? codeHash.substring(2) : codeHash);
            } catch (IllegalArgumentException e) {
                throw usage("CODE_HASH: not 64 hex digits");
            }
            byte[] saltBytes = parsePayload(this, salt);
            if (saltBytes.length > cloister.proto.ContractsCall.MAX_SALT) {
                throw usage("--salt: at most 32 bytes");
            }
            byte[] argBytes = parsePayload(this, args);
            SigningKey key = signer();
            CloisterClient c = client();
            ContractId id = ContractId.wasm(key.account(), code, cluster, saltBytes);
            byte[] sealed = new byte[0];
            if (argBytes.length > 0) {
                var clusterKey = c.clusterKey(cluster).orElseThrow(() -> new cloister.sdk.CloisterApiException("CLUSTER_NOT_READY",
                        "cluster " + cluster + " has no public key yet to seal the arguments to"));
                sealed = cloister.proto.envelope.ConstructorEnvelope.seal(clusterKey, c.genesisHash(), id, key.account(), argBytes);
            }
            String failed = submitAndWait(c, new cloister.proto.ContractsCall.Instantiate(code, cluster, saltBytes, sealed, gasLimit, gasPrice), key);
            if (failed != null) {
                ctx.err().println("error: " + failed);
                return 1;
            }
            // The constructor runs once a worker of the cluster holds the contract's key: wait for its outcome, so the
            // contract is ready for commands when this returns.
            ConfidentialClient.CommandResult r = new ConfidentialClient(c).commandOutcome(id, lastTx, Duration.ofSeconds(60));
            String constructor = r.ok() ? "ok, gas used " + r.gasUsed() + " of " + gasLimit
                    : r.code() + (r.message().isEmpty() ? "" : ": " + r.message());
            if (global.json) {
                printJson(JSON.createObjectNode().put("contract", id.hex()).put("gasReserved", gasLimit * gasPrice)
                        .put("constructorOk", r.ok()).put("constructorCode", r.code()).put("constructorMessage", r.message())
                        .put("gasUsed", r.gasUsed()));
            } else {
                table(new String[][] {{"contract", id.hex()}, {"cluster", String.valueOf(cluster)},
                    {"constructor", constructor},
                    {"gas reserved", gasLimit + " gas × " + gasPrice + " units (unused gas is refunded when a worker reports it)"}});
            }
            if (!r.ok()) {
                ctx.err().println("error: the constructor failed: " + constructor);
                return 1;
            }
            return 0;
        }
    }

    @Command(name = "upgrade", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Point a WebAssembly contract at new uploaded code (owner only); its state is kept.")
    static final class Upgrade extends SignedCall {
        @Parameters(index = "0", paramLabel = "CONTRACT", description = "Contract id.")
        String id;

        @Parameters(index = "1", paramLabel = "CODE_HASH", description = "The new code's hash.")
        String codeHash;

        @Override
        public Integer call() {
            ContractId contract = parseId(this, id);
            Hash code;
            try {
                code = Hash.fromHex(codeHash.startsWith("0x") ? codeHash.substring(2) : codeHash);
            } catch (IllegalArgumentException e) {
                throw usage("CODE_HASH: not 64 hex digits");
            }
            String failed = submitAndWait(client(), new cloister.proto.ContractsCall.Upgrade(contract, code), signer());
            if (failed != null) {
                ctx.err().println("error: " + failed);
                return 1;
            }
            out().println("contract " + contract.hex() + " now runs code " + code.hex());
            return 0;
        }
    }

    @Command(name = "command", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Encrypt a command to the contract's key, send it on chain, wait for a worker's outcome (and gas, for WebAssembly).")
    static final class Send extends ContractCall {
        @Option(names = "--gas-limit", paramLabel = "GAS", defaultValue = "10000000", description = "WebAssembly only: gas limit (default: ${DEFAULT-VALUE}).")
        long gasLimit;

        @Option(names = "--gas-price", paramLabel = "UNITS", defaultValue = "1", description = "WebAssembly only: units per gas (default: ${DEFAULT-VALUE}).")
        long gasPrice;

        @Override
        public Integer call() {
            ContractId contract = parseId(this, id);
            byte[] bytes = parsePayload(this, payload);
            SigningKey key = signer();
            CloisterClient c = client();
            ConfidentialClient cc = new ConfidentialClient(c);
            if (c.contract(contract).isWasm()) {
                return wasm(c, cc, contract, bytes, key);
            }
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

        private int wasm(CloisterClient c, ConfidentialClient cc, ContractId contract, byte[] bytes, SigningKey key) {
            return wasmCall(this, c, cc, contract, bytes, key, gasLimit, gasPrice);
        }
    }

    /**
     * A WebAssembly call: sealed input, gas reserved; then the outcome a worker of the cluster reports (status, gas,
     * the contract's revert message) and the settlement on chain (fee, refund, published events). Exit 1 unless the
     * call ended OK and was settled.
     */
    static int wasmCall(CliCommand cmd, CloisterClient c, ConfidentialClient cc, ContractId contract, byte[] bytes, SigningKey key,
                        long gasLimit, long gasPrice) {
        Hash tx = cc.callWasm(key, contract, bytes, gasLimit, gasPrice, c.chainInfo().minimumFee());
        TxStatusInfo s = c.waitForInclusion(tx, Duration.ofSeconds(60));
        if (!s.success()) {
            cmd.ctx.err().println("error: " + s.failureReason() + ": included in block " + s.height() + " but refused by the chain");
            return 1;
        }
        ConfidentialClient.CommandResult r = cc.commandOutcome(contract, tx, Duration.ofSeconds(60));
        java.util.Optional<cloister.sdk.CallReport> report = java.util.Optional.empty();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (report.isEmpty() && System.nanoTime() < deadline) {
            report = c.callReport(tx);
            if (report.isEmpty()) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        String result = r.ok() ? "ok" : r.code() + (r.message().isEmpty() ? "" : ": " + r.message());
        if (cmd.global.json) {
            var n = CliCommand.JSON.createObjectNode().put("transaction", tx.hex()).put("height", s.height()).put("ok", r.ok()).put("code", r.code())
                    .put("message", r.message()).put("gasUsed", r.gasUsed()).put("settled", report.isPresent());
            report.ifPresent(rep -> {
                n.put("fee", rep.fee()).put("refund", rep.refund()).put("settledAt", rep.settledAt());
                var events = n.putArray("events");
                rep.events().forEach(e -> events.addObject().put("index", e.index()).put("public", e.isPublic())
                        .put(e.isPublic() ? "dataHex" : "sealedHex", Hex.encode(e.data())));
                rep.transfersRefused().ifPresent(m -> n.put("transfersRefused", m));
            });
            cmd.printJson(n);
        } else {
            java.util.List<String[]> rows = new java.util.ArrayList<>();
            rows.add(new String[] {"transaction", tx.hex()});
            rows.add(new String[] {"block", String.valueOf(s.height())});
            rows.add(new String[] {"result", result});
            rows.add(new String[] {"gas used", report.map(rep -> rep.gasUsed() + " of " + gasLimit + " (fee " + rep.fee() + " units, "
                    + rep.refund() + " refunded)").orElse(r.gasUsed() + " of " + gasLimit + " per the worker; not settled on chain yet"
                    + " (reserved " + gasLimit * gasPrice + " units)")});
            report.ifPresent(rep -> {
                for (cloister.sdk.CallReport.PublishedEvent e : rep.events()) {
                    rows.add(new String[] {"event #" + e.index(), e.isPublic() ? "public " + Hex.encode(e.data()) + printable(e.data())
                        : "private: " + e.data().length + " bytes sealed to the contract key"});
                }
                rep.transfersRefused().ifPresent(m -> rows.add(new String[] {"transfers", "REFUSED: " + m}));
            });
            cmd.table(rows.toArray(new String[0][]));
        }
        if (!r.ok()) {
            cmd.ctx.err().println("error: the call failed: " + result);
            return 1;
        }
        if (report.isEmpty()) {
            cmd.ctx.err().println("error: no worker has settled this call's gas on chain within 30 s");
            return 1;
        }
        return 0;
    }

    /** {@code  ("text")} when the bytes start with printable ASCII (e.g. the auction's "closed"), else nothing. */
    private static String printable(byte[] data) {
        int n = 0;
        while (n < data.length && data[n] >= 0x20 && data[n] < 0x7f) {
            n++;
        }
        return n >= 3 ? "  (\"" + new String(data, 0, n, java.nio.charset.StandardCharsets.US_ASCII) + "\"" + (n < data.length ? " …" : "") + ")" : "";
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

    @Command(name = "examples", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = {"Write the example WebAssembly contracts shipped with Cloister (counter, auction, vote, hashloop) as NAME.wasm.",
                "Their sources, with each input and output documented, are worker/src/main/wat/NAME.wat in the repository."})
    static final class Examples extends CliCommand {
        @Option(names = {"-o", "--out"}, paramLabel = "DIR", defaultValue = ".", description = "Directory to write into (default: the current one).")
        Path out;

        @Option(names = "--force", description = "Overwrite files that exist with other content.")
        boolean force;

        @Override
        public Integer call() throws Exception {
            java.nio.file.Files.createDirectories(out);
            java.util.List<String[]> rows = new java.util.ArrayList<>();
            for (cloister.worker.wasm.ExampleContract e : cloister.worker.wasm.ExampleContract.values()) {
                byte[] wasm = e.wasm();
                Path file = out.resolve(e.fileName() + ".wasm");
                if (java.nio.file.Files.exists(file) && !force && !java.util.Arrays.equals(java.nio.file.Files.readAllBytes(file), wasm)) {
                    ctx.err().println("error: " + file + " exists with other content; pass --force to overwrite it");
                    return 1;
                }
                java.nio.file.Files.write(file, wasm);
                rows.add(new String[] {file.toString(), wasm.length + " bytes, code hash " + cloister.crypto.Sha256.hash(wasm).hex()});
            }
            table(rows.toArray(new String[0][]));
            return 0;
        }
    }
}
