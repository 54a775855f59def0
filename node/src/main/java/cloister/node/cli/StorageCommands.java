package cloister.node.cli;

import cloister.common.Hash;
import cloister.common.Tokens;
import cloister.crypto.AccountId;
import cloister.crypto.EcdhKey;
import cloister.crypto.HpkeException;
import cloister.crypto.SigningKey;
import cloister.sdk.BlockClient;
import cloister.proto.StorageCall;
import cloister.sdk.CloisterApiException;
import cloister.sdk.CloisterClient;
import cloister.sdk.StorageFile;
import cloister.sdk.StorageInfo;
import cloister.sdk.StorageProvider;
import cloister.sdk.TxStatusInfo;
import cloister.storage.chunk.ChunkedFile;
import cloister.storage.chunk.DataKeyWrap;
import cloister.storage.chunk.ManifestException;
import cloister.storage.cid.Cid;
import cloister.storage.cid.CidFormatException;
import cloister.storage.store.BlockMismatchException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cloister storage}: encrypted files in the storage network — put, get, order, status, rm, and providers. */
@Command(name = "storage", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"End-to-end encrypted files in the storage network. Files are encrypted on this machine (AES-256-GCM, a fresh"
            + " key per file), cut into 256 KiB chunks named by IPFS-compatible CIDs, and kept by storage providers whose"
            + " enclave watchdog proves every slot that the chunks are there. Nobody but the owner sees the plaintext."},
        subcommands = {StorageCommands.Put.class, StorageCommands.Get.class, StorageCommands.Order.class, StorageCommands.Status.class,
            StorageCommands.Rm.class, StorageCommands.Ls.class, StorageCommands.Providers.class, ProviderCommands.class})
final class StorageCommands implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand: put, get, order, status, rm, ls, providers or provider");
    }

    /** A progress bar on stderr: redrawn in place, at most every 1 %. */
    static final class Bar implements ChunkedFile.Progress {
        private final PrintStream err;
        private final String label;
        private int shown = -1;

        Bar(PrintStream err, String label) {
            this.err = err;
            this.label = label;
        }

        @Override
        public void update(long done, long total) {
            int pct = total == 0 ? 100 : (int) (done * 100 / total);
            if (pct == shown) {
                return;
            }
            shown = pct;
            int filled = pct / 4;
            err.print("\r" + label + " [" + "#".repeat(filled) + " ".repeat(25 - filled) + "] " + String.format("%3d%%", pct) + "  "
                    + mib(done) + " / " + mib(total) + " MiB");
            if (pct == 100) {
                err.println();
            }
            err.flush();
        }

        private static String mib(long bytes) {
            return String.format("%.1f", bytes / 1048576.0);
        }
    }

    static Cid parseCid(CliCommand c, String text) {
        try {
            Cid cid = Cid.parse(text);
            if (cid.codec() != Cid.RAW) {
                throw c.usage("'" + text + "' is a dag-pb CID; Cloister files are named by raw-codec CIDs (bafkrei…)");
            }
            return cid;
        } catch (CidFormatException e) {
            throw c.usage("'" + text + "' is not a CID: " + e.getMessage());
        }
    }

    static Hash digest(Cid cid) {
        return Hash.wrap(cid.digest());
    }

    /** Submits {@code call} signed by {@code key}, waits for its block; prints the failure and returns null if the call failed. */
    static TxStatusInfo submit(CliCommand c, CloisterClient node, SigningKey key, StorageCall call) {
        CliCommand.Included r = CliCommand.include(node, call, key);
        if (!r.ok()) {
            c.ctx.err().println("error: " + r.failure() + " (" + call.name() + " was included in block " + r.status().height()
                    + " but refused; the fee was charged)");
            return null;
        }
        return r.status();
    }

    @Command(name = "put", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = {"Encrypt FILE here, upload its encrypted blocks to the node's staging gateway and order replicas of it."
                + " Prints the file's CID; keep it (with your account you need nothing else to get the file back).",
                "The data key is wrapped (HPKE) to a key derived from your account and kept in the order on chain: only you can"
                + " unwrap it."})
    static final class Put extends CliCommand {
        @Parameters(paramLabel = "FILE", description = "The file to store (at most 4 GiB).")
        Path file;

        @Option(names = "--as", paramLabel = "SIGNER", defaultValue = "alice", description = "Owner: dev name or key name (default: ${DEFAULT-VALUE}).")
        String as;

        @Option(names = "--replicas", paramLabel = "N", defaultValue = "3", description = "Replicas on distinct providers (default: ${DEFAULT-VALUE}).")
        int replicas;

        @Option(names = "--slots", paramLabel = "N", defaultValue = "1000", description = "How many slots to keep it (default: ${DEFAULT-VALUE}).")
        int slots;

        @Option(names = "--price", paramLabel = "CLO", defaultValue = "0.0001",
                description = "Price per replica and slot, paid to each provider whose replica is verified (default: ${DEFAULT-VALUE}).")
        String price;

        @Option(names = "--no-order", description = "Only encrypt and upload; print the wrapped key for a later `storage order`.")
        boolean noOrder;

        @Option(names = "--passphrase-file", paramLabel = "FILE", description = "Passphrase of a keystore signer.")
        Path passphraseFile;

        @Override
        public Integer call() throws Exception {
            long size;
            try {
                size = Files.size(file);
            } catch (NoSuchFileException e) {
                throw usage("FILE: " + file + " does not exist");
            }
            if (Files.isDirectory(file)) {
                throw usage("FILE: " + file + " is a directory");
            }
            if (size > ChunkedFile.MAX_FILE) {
                throw usage("FILE: " + size + " bytes is over the limit of " + ChunkedFile.MAX_FILE + " bytes (4 GiB) per file");
            }
            if (replicas < 1 || replicas > StorageCall.MAX_REPLICAS || slots < 1 || slots > StorageCall.MAX_SLOTS) {
                throw usage("--replicas 1.." + StorageCall.MAX_REPLICAS + ", --slots 1.." + StorageCall.MAX_SLOTS);
            }
            long priceUnits = parsePrice(this, price);
            SigningKey owner = signer("--as", as, passphraseFile);
            CloisterClient node = client();
            StorageInfo info = node.storageInfo();
            String staging = info.stagingGateway().orElseThrow(() -> new CloisterApiException("NO_STAGING",
                    "the node at " + node.baseUrl() + " runs no staging gateway to upload to"));
            String mediaType = Optional.ofNullable(Files.probeContentType(file)).orElse("application/octet-stream");
            ChunkedFile.Encrypted enc;
            try (BlockClient up = new BlockClient(staging); InputStream in = Files.newInputStream(file)) {
                enc = ChunkedFile.encrypt(in, size, file.getFileName().toString(), mediaType, (cid, block) -> {
                    try {
                        Cid stored = up.put(block);
                        if (!stored.equals(cid)) {
                            throw new IOException("the staging gateway stored " + stored + " for " + cid);
                        }
                    } catch (BlockMismatchException e) {
                        throw new IOException(e.getMessage());
                    }
                }, new Bar(ctx.err(), "encrypt+upload"));
            }
            long stored = enc.manifest().encode().length + enc.manifest().storedBytes();
            byte[] wrapped = DataKeyWrap.wrap(DataKeyWrap.ownerKey(owner).publicKey(), enc.cid(), enc.dataKey());
            if (noOrder) {
                if (global.json) {
                    printJson(JSON.createObjectNode().put("cid", enc.cid().toString()).put("size", size).put("storedBytes", stored)
                            .put("wrappedKey", cloister.common.Hex.encode(wrapped)));
                } else {
                    table(new String[][] {{"cid", enc.cid().toString()}, {"size", size + " bytes (" + stored + " stored)"},
                        {"wrapped key", cloister.common.Hex.encode(wrapped)}, {"next", "./cloister storage order " + enc.cid()
                            + " --wrapped-key " + cloister.common.Hex.encode(wrapped)}});
                }
                return 0;
            }
            TxStatusInfo s = submit(this, node, owner, new StorageCall.PlaceOrder(digest(enc.cid()), stored, replicas, slots, priceUnits, wrapped));
            if (s == null) {
                return 1;
            }
            long escrow = priceUnits * replicas * slots;
            if (global.json) {
                printJson(JSON.createObjectNode().put("cid", enc.cid().toString()).put("size", size).put("storedBytes", stored)
                        .put("replicas", replicas).put("slots", slots).put("escrow", escrow).put("block", s.height()));
            } else {
                table(new String[][] {
                    {"cid", enc.cid().toString()},
                    {"size", size + " bytes (" + enc.manifest().chunks().size() + " chunks, " + stored + " bytes stored)"},
                    {"order", replicas + " replicas × " + slots + " slots × " + Tokens.format(priceUnits) + " " + Tokens.SYMBOL
                        + " = " + Tokens.format(escrow) + " " + Tokens.SYMBOL + " escrowed (unearned part refunded)"},
                    {"included", "block " + s.height()},
                    {"next", "./cloister storage status " + enc.cid()},
                });
            }
            out().println(enc.cid());
            return 0;
        }
    }

    static long parsePrice(CliCommand c, String text) {
        try {
            long units = Tokens.parse(text);
            if (units < 1) {
                throw c.usage("--price must be at least one unit (" + Tokens.format(1) + " " + Tokens.SYMBOL + ")");
            }
            return units;
        } catch (IllegalArgumentException e) {
            throw c.usage("--price: " + e.getMessage());
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Fetch a file by CID from its providers (then the staging gateway), check every chunk against its CID,"
                + " decrypt it with your key and write it to -o FILE (written whole or not at all).")
    static final class Get extends CliCommand {
        @Parameters(paramLabel = "CID", description = "The file's CID (as `storage put` printed it).")
        String cidText;

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "Where to write the file.")
        Path output;

        @Option(names = "--as", paramLabel = "SIGNER", defaultValue = "alice", description = "Owner: dev name or key name (default: ${DEFAULT-VALUE}).")
        String as;

        @Option(names = "--force", description = "Overwrite FILE if it exists.")
        boolean force;

        @Option(names = "--passphrase-file", paramLabel = "FILE", description = "Passphrase of a keystore signer.")
        Path passphraseFile;

        @Override
        public Integer call() throws Exception {
            Cid cid = parseCid(this, cidText);
            if (Files.exists(output) && !force) {
                throw usage("-o: " + output + " exists (pass --force to overwrite)");
            }
            SigningKey owner = signer("--as", as, passphraseFile);
            CloisterClient node = client();
            StorageFile order = node.storageFile(cid.toString()).orElseThrow(() -> new CloisterApiException("UNKNOWN_ORDER",
                    "no storage order for " + cid + " (was it put, and not removed?)"));
            byte[] key;
            try {
                key = DataKeyWrap.unwrap(DataKeyWrap.ownerKey(owner), cid, order.wrappedKey());
            } catch (HpkeException | RuntimeException e) {
                ctx.err().println("error: NOT_YOUR_FILE: the file's key is wrapped for its owner " + order.owner().address()
                        + "; " + owner.account().address() + " cannot unwrap it");
                return 1;
            }
            List<BlockClient> sources = new ArrayList<>();
            order.healthyEndpoints().forEach(u -> sources.add(new BlockClient(u)));
            node.storageInfo().stagingGateway().ifPresent(u -> sources.add(new BlockClient(u)));
            Path parent = output.toAbsolutePath().getParent();
            Path tmp = Files.createTempFile(parent, ".cloister-get-", ".part");
            ChunkedFile.Metadata meta;
            int[] served = new int[sources.size()];
            try (OutputStream out = Files.newOutputStream(tmp)) {
                meta = ChunkedFile.decrypt(cid, key, c -> {
                    IOException last = null;
                    for (int i = 0; i < sources.size(); i++) {
                        try {
                            byte[] b = sources.get(i).get(c);
                            served[i]++;
                            return b;
                        } catch (IOException | BlockMismatchException e) {
                            last = new IOException(e.getMessage());
                        }
                    }
                    if (last != null && !(last instanceof java.io.FileNotFoundException)) {
                        verboseLog("last source failure for " + c + ": " + last.getMessage());
                    }
                    return null;
                }, out, new Bar(ctx.err(), "fetch+verify"));
            } catch (ManifestException | IOException e) {
                Files.deleteIfExists(tmp);
                ctx.err().println("error: GET_FAILED: " + e.getMessage() + " (nothing written)");
                return 1;
            } finally {
                sources.forEach(BlockClient::close);
            }
            Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            long size = Files.size(output);
            if (global.json) {
                printJson(JSON.createObjectNode().put("cid", cid.toString()).put("name", meta.name()).put("mediaType", meta.mediaType())
                        .put("size", size).put("output", output.toString()));
            } else {
                StringBuilder from = new StringBuilder();
                for (int i = 0; i < sources.size(); i++) {
                    if (served[i] > 0) {
                        from.append(from.length() > 0 ? ", " : "").append(sources.get(i).baseUrl()).append(" (").append(served[i]).append(")");
                    }
                }
                table(new String[][] {{"cid", cid.toString()}, {"name", meta.name()}, {"type", meta.mediaType()},
                    {"size", size + " bytes, every chunk verified against its CID"}, {"blocks from", from.toString()},
                    {"written", output.toString()}});
            }
            return 0;
        }

        private void verboseLog(String s) {
            if (global.verbose) {
                ctx.err().println(s);
            }
        }
    }

    @Command(name = "order", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Renew (top up) the order for CID by --slots more slots; or, for a file uploaded with `put --no-order`,"
                + " place its order (the file's size is read from its manifest on the staging gateway).")
    static final class Order extends CliCommand {
        @Parameters(paramLabel = "CID", description = "The file's CID.")
        String cidText;

        @Option(names = "--as", paramLabel = "SIGNER", defaultValue = "alice", description = "Payer (and owner of a new order) (default: ${DEFAULT-VALUE}).")
        String as;

        @Option(names = "--slots", paramLabel = "N", defaultValue = "1000", description = "Slots to add or to order (default: ${DEFAULT-VALUE}).")
        int slots;

        @Option(names = "--replicas", paramLabel = "N", defaultValue = "3", description = "Replicas of a new order (default: ${DEFAULT-VALUE}).")
        int replicas;

        @Option(names = "--price", paramLabel = "CLO", defaultValue = "0.0001", description = "Price per replica and slot of a new order.")
        String price;

        @Option(names = "--wrapped-key", paramLabel = "HEX", description = "A new order's wrapped data key (as `put --no-order` printed it).")
        String wrappedKey;

        @Option(names = "--passphrase-file", paramLabel = "FILE", description = "Passphrase of a keystore signer.")
        Path passphraseFile;

        @Override
        public Integer call() throws Exception {
            Cid cid = parseCid(this, cidText);
            if (slots < 1 || slots > StorageCall.MAX_SLOTS) {
                throw usage("--slots 1.." + StorageCall.MAX_SLOTS);
            }
            SigningKey key = signer("--as", as, passphraseFile);
            CloisterClient node = client();
            Optional<StorageFile> existing = node.storageFile(cid.toString());
            StorageCall call;
            if (existing.isPresent()) {
                call = new StorageCall.Renew(digest(cid), slots);
            } else {
                byte[] wrapped = new byte[0];
                if (wrappedKey != null) {
                    try {
                        wrapped = java.util.HexFormat.of().parseHex(wrappedKey);
                    } catch (IllegalArgumentException e) {
                        throw usage("--wrapped-key is not hex");
                    }
                }
                String staging = node.storageInfo().stagingGateway().orElseThrow(() -> new CloisterApiException("NO_STAGING",
                        "the node runs no staging gateway: the file's manifest cannot be read"));
                byte[] manifestBytes;
                try (BlockClient c = new BlockClient(staging)) {
                    manifestBytes = c.get(cid);
                }
                cloister.storage.chunk.Manifest m = cloister.storage.chunk.Manifest.decode(manifestBytes);
                long stored = manifestBytes.length + m.storedBytes();
                call = new StorageCall.PlaceOrder(digest(cid), stored, replicas, slots, parsePrice(this, price), wrapped);
            }
            TxStatusInfo s = submit(this, node, key, call);
            if (s == null) {
                return 1;
            }
            StorageFile now = node.storageFile(cid.toString()).orElseThrow();
            table(new String[][] {{"cid", cid.toString()}, {existing.isPresent() ? "renewed" : "ordered", "until slot " + now.endSlot()
                + " (" + slots + " slots more)"}, {"escrow", Tokens.format(now.escrow()) + " " + Tokens.SYMBOL}, {"included", "block " + s.height()}});
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "A file's order and its replicas' health: healthy (the provider's signed work report holds it), fetching"
                + " (assigned in this or the last slot), missing (will be counted lost and repaired at the end of the slot).")
    static final class Status extends CliCommand {
        @Parameters(paramLabel = "CID", description = "The file's CID.")
        String cidText;

        @Override
        public Integer call() {
            Cid cid = parseCid(this, cidText);
            CloisterClient node = client();
            StorageFile f = node.storageFile(cid.toString()).orElseThrow(() -> new CloisterApiException("UNKNOWN_ORDER",
                    "no storage order for " + cid));
            StorageInfo info = node.storageInfo();
            if (global.json) {
                ObjectNode n = JSON.createObjectNode().put("cid", f.cid()).put("owner", f.owner().address()).put("size", f.size())
                        .put("replicaTarget", f.replicaTarget()).put("healthy", f.healthy()).put("slot", info.slot()).put("endSlot", f.endSlot())
                        .put("escrow", f.escrow());
                ArrayNode a = n.putArray("replicas");
                f.replicas().forEach(r -> a.addObject().put("provider", r.provider().hex()).put("status", r.status())
                        .put("assignedSlot", r.assignedSlot()).put("lastVerifiedSlot", r.lastVerifiedSlot()).put("endpoint", r.endpoint().orElse(null)));
                printJson(n);
                return 0;
            }
            table(new String[][] {
                {"cid", f.cid()},
                {"owner", f.owner().address()},
                {"size", f.size() + " bytes stored"},
                {"replicas", f.healthy() + " of " + f.replicaTarget() + " healthy" + (f.replicas().size() < f.replicaTarget()
                    ? " (" + (f.replicaTarget() - f.replicas().size()) + " waiting for a provider with room)" : "")},
                {"slot", info.slot() + " (ends at block " + info.nextSlotAt() + "; order runs until slot " + f.endSlot() + ")"},
                {"escrow", Tokens.format(f.escrow()) + " " + Tokens.SYMBOL + " (" + Tokens.format(f.pricePerReplicaSlot()) + " per replica and slot)"},
            });
            for (StorageFile.Replica r : f.replicas()) {
                out().println(String.format("  %-9s %s…  assigned slot %d, %s  %s", r.status(), r.provider().hex().substring(0, 16),
                        r.assignedSlot(), r.lastVerifiedSlot() < 0 ? "not verified yet" : "verified slot " + r.lastVerifiedSlot(),
                        r.endpoint().orElse("")));
            }
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Cancel your order for CID: its replicas are released and the unearned escrow is refunded.")
    static final class Rm extends CliCommand {
        @Parameters(paramLabel = "CID", description = "The file's CID.")
        String cidText;

        @Option(names = "--as", paramLabel = "SIGNER", defaultValue = "alice", description = "Owner (default: ${DEFAULT-VALUE}).")
        String as;

        @Option(names = "--passphrase-file", paramLabel = "FILE", description = "Passphrase of a keystore signer.")
        Path passphraseFile;

        @Override
        public Integer call() {
            Cid cid = parseCid(this, cidText);
            SigningKey key = signer("--as", as, passphraseFile);
            CloisterClient node = client();
            StorageFile f = node.storageFile(cid.toString()).orElseThrow(() -> new CloisterApiException("UNKNOWN_ORDER",
                    "no storage order for " + cid));
            TxStatusInfo s = submit(this, node, key, new StorageCall.Cancel(digest(cid)));
            if (s == null) {
                return 1;
            }
            table(new String[][] {{"cid", cid.toString()}, {"cancelled", "block " + s.height()},
                {"refund", "up to " + Tokens.format(f.escrow()) + " " + Tokens.SYMBOL + " (what was not yet earned)"}});
            return 0;
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "List storage orders (all, or --owner's) with their replicas' health.")
    static final class Ls extends CliCommand {
        @Option(names = "--owner", paramLabel = "ACCOUNT", description = "Only this owner's (dev name, key name or address).")
        String owner;

        @Override
        public Integer call() {
            Optional<AccountId> who = Optional.empty();
            if (owner != null) {
                who = Optional.of(account("--owner", owner));
            }
            List<StorageFile> files = client().storageFiles(who);
            if (files.isEmpty()) {
                out().println("no storage orders");
            }
            for (StorageFile f : files) {
                out().println(f.cid() + "  " + f.size() + " B  " + f.healthy() + "/" + f.replicaTarget() + " healthy  until slot " + f.endSlot());
            }
            return 0;
        }
    }

    @Command(name = "providers", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "List the storage providers: capacity, use, files in their last work report, liveness.")
    static final class Providers extends CliCommand {
        @Override
        public Integer call() {
            List<StorageProvider> ps = client().storageProviders();
            if (ps.isEmpty()) {
                out().println("no storage providers");
            }
            for (StorageProvider p : ps) {
                out().println(p.id().hex().substring(0, 16) + "…  " + (p.active() ? "active  " : "INACTIVE") + "  " + p.files() + " files reported  "
                        + p.used() + "/" + p.capacity() + " B assigned  last report slot " + p.lastReportSlot()
                        + (p.computeWorker() ? "  (also a compute worker)" : "") + "  " + p.endpoint());
            }
            return 0;
        }
    }
}
