package cloister.node.cli;

import cloister.common.Hash;
import cloister.common.Tokens;
import cloister.crypto.AccountId;
import cloister.crypto.Sha256;
import cloister.crypto.SigningKey;
import cloister.market.data.DatasetPreview;
import cloister.market.data.InvalidRecordException;
import cloister.market.data.RecordParser;
import cloister.market.data.Schema;
import cloister.market.privacy.DiscreteLaplaceNoise;
import cloister.market.privacy.Epsilon;
import cloister.proto.DataMarketCall;
import cloister.sdk.CloisterApiException;
import cloister.sdk.CloisterClient;
import cloister.sdk.DataCollector;
import cloister.sdk.DatasetInfo;
import cloister.sdk.DatasetQuery;
import cloister.sdk.DatasetReader;
import cloister.sdk.EarningsInfo;
import cloister.sdk.IncludedTx;
import cloister.sdk.JobInfo;
import cloister.sdk.JobQuery;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cloister data}: a data owner's side of W3A — collect records, list them on the market, consent, delete, earnings. */
@Command(name = "data", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Your data in W3A, the data market. Records are parsed, checked and encrypted on this machine, stored"
            + " encrypted in the storage network, and their keys escrowed to a cluster of TEE workers: buyers never see a record,"
            + " only privacy-checked aggregate results of jobs you consented to (by a grant, a standing policy or an approval) and"
            + " are paid for. Consent, uses and payments are public on chain.",
            "A DATASET is its number, or the name of one of your datasets."},
        subcommands = {DataCommands.Collect.class, DataCommands.Ls.class, DataCommands.Show.class, DataCommands.ListOnMarket.class,
            DataCommands.Unlist.class, DataCommands.GrantUse.class, DataCommands.Revoke.class, DataCommands.Policy.class,
            DataCommands.Requests.class, DataCommands.Approve.class, DataCommands.Decline.class, DataCommands.Delete.class,
            DataCommands.Earnings.class})
final class DataCommands implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand: collect, ls, show, list, unlist, grant,"
                + " revoke, policy, requests, approve, decline, delete or earnings");
    }

    /** The owner's signing key and the node: what every owner command needs. */
    abstract static class OwnerCommand extends CliCommand {
        @Option(names = "--as", paramLabel = "SIGNER", defaultValue = "alice", description = "The owner: dev name or key name (default: ${DEFAULT-VALUE}).")
        String as;

        @Option(names = "--passphrase-file", paramLabel = "FILE", description = "Passphrase of a keystore signer.")
        Path passphraseFile;

        SigningKey owner() {
            return signer("--as", as, passphraseFile);
        }
    }

    @Command(name = "collect", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = {"Collect the records of FILE (CSV with a header row, or JSON Lines) into your dataset --name: every record is"
                + " checked against --schema, the records are cut into files of at most 100,000 records and 15.75 MiB (the enclave takes 16 MiB files), each encrypted here"
                + " under its own key and uploaded; each file is ordered in the storage network and added to the dataset with its key"
                + " escrowed to the cluster's TEE workers. Nothing reaches the chain if a record is invalid.",
                "If you already have a dataset of that name, the records are appended to it (the schema must be the same).",
                "Schema: name:type[,…] with types text, int[min,max] and real[min,max], e.g. age_band:text,income:real[0,250000]."
                + " Numbers outside the bounds are kept and clamped in analysis."})
    static final class Collect extends OwnerCommand {
        @Parameters(paramLabel = "FILE", description = "The records: .csv, or .jsonl / .ndjson / .json (JSON Lines); --format for other names.")
        Path file;

        @Option(names = "--name", required = true, paramLabel = "NAME", description = "The dataset's name (yours; at most 64 bytes).")
        String name;

        @Option(names = "--schema", required = true, paramLabel = "SPEC", description = "The records' schema, e.g. age_band:text,income:real[0,250000].")
        String schemaSpec;

        @Option(names = "--format", paramLabel = "FORMAT", description = "csv or jsonl (default: from the file name).")
        String format;

        @Option(names = "--cluster", paramLabel = "N", defaultValue = "0",
                description = "Escrow cluster of a new dataset: its workers run the jobs (default: ${DEFAULT-VALUE}).")
        int cluster;

        @Option(names = "--replicas", paramLabel = "N", defaultValue = "2", description = "Storage replicas per file (default: ${DEFAULT-VALUE}).")
        int replicas;

        @Option(names = "--slots", paramLabel = "N", defaultValue = "1000", description = "Storage slots to keep each file (default: ${DEFAULT-VALUE}).")
        int slots;

        @Option(names = "--storage-price", paramLabel = "CLO", defaultValue = "0.0001",
                description = "Storage price per replica and slot (default: ${DEFAULT-VALUE}).")
        String storagePrice;

        @Override
        public Integer call() throws Exception {
            if (!Files.isRegularFile(file)) {
                throw usage("FILE: " + file + (Files.isDirectory(file) ? " is a directory" : " does not exist"));
            }
            RecordParser.Format fmt;
            if (format != null) {
                fmt = switch (format.strip().toLowerCase(java.util.Locale.ROOT)) {
                    case "csv" -> RecordParser.Format.CSV;
                    case "jsonl", "ndjson", "json" -> RecordParser.Format.JSONL;
                    default -> throw usage("--format: csv or jsonl, not '" + format + "'");
                };
            } else {
                fmt = RecordParser.Format.ofFileName(file.getFileName().toString()).orElseThrow(() -> usage("FILE: cannot tell the format of '"
                        + file.getFileName() + "' from its name; name it .csv or .jsonl, or pass --format"));
            }
            Schema schema;
            try {
                schema = Schema.parse(schemaSpec);
            } catch (IllegalArgumentException e) {
                throw usage("--schema: " + e.getMessage());
            }
            long price = MarketCli.amount(this, "--storage-price", storagePrice);
            DataCollector.Options options;
            try {
                options = DataCollector.Options.defaults().withCluster(cluster).withStorage(replicas, slots, price);
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
            SigningKey owner = owner();
            CloisterClient node = client();
            StorageCommands.Bar bar = new StorageCommands.Bar(ctx.err(), "read+encrypt+upload");
            DataCollector.Result r;
            try {
                r = new DataCollector(node, owner).collect(file, fmt, name, schema, options, (stage, done, total) -> {
                    if (stage == DataCollector.Stage.READ && total > 0) {
                        bar.update(done, total);
                    }
                });
            } catch (InvalidRecordException e) {
                ctx.err().println();
                ctx.err().println("error: " + e.reason().name() + ": " + file.getFileName() + ": " + e.getMessage()
                        + " (nothing was collected)");
                return 1;
            }
            if (global.json) {
                ObjectNode n = JSON.createObjectNode().put("dataset", r.dataset()).put("name", r.name()).put("created", r.created())
                        .put("rows", r.rows()).put("schemaHash", r.schemaHash().hex());
                ArrayNode files = n.putArray("files");
                r.files().forEach(f -> files.addObject().put("cid", f.cid()).put("rows", f.rows()).put("size", f.size()));
                printJson(n);
                return 0;
            }
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"dataset", r.dataset() + " '" + r.name() + "' (" + (r.created() ? "new" : "appended to") + ")"});
            rows.add(new String[] {"rows", String.format("%,d collected", r.rows())});
            rows.add(new String[] {"files", r.files().size() + " encrypted, " + replicas + " replicas ordered each, data keys escrowed to cluster "
                + cluster});
            for (DataCollector.File f : r.files()) {
                rows.add(new String[] {"", String.format("%s  %,d rows  %,d bytes", f.cid(), f.rows(), f.size())});
            }
            rows.add(new String[] {"schema", schema.spec() + " (hash " + r.schemaHash().shortHex() + ")"});
            r.summary().ifPresent(s -> s.columns().stream().filter(c -> c.nulls() > 0 || c.outOfBounds() > 0).forEach(c -> rows.add(new String[] {
                "  " + c.column(), (c.nulls() > 0 ? c.nulls() + " empty" : "") + (c.nulls() > 0 && c.outOfBounds() > 0 ? ", " : "")
                    + (c.outOfBounds() > 0 ? c.outOfBounds() + " outside the bounds (clamped in analysis)" : "")})));
            rows.add(new String[] {"next", "./cloister data list " + r.dataset() + " --as " + as + " --price 0.1 --purposes research"});
            table(rows.toArray(new String[0][]));
            out().println(r.dataset());
            return 0;
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "List an owner's datasets (yours with --as, anyone's with --owner): rows, files, listing, policy, uses and earnings.")
    static final class Ls extends CliCommand {
        @Option(names = {"--owner", "--as"}, paramLabel = "ACCOUNT", defaultValue = "alice",
                description = "Whose datasets: dev name, key name or address (default: ${DEFAULT-VALUE}).")
        String owner;

        @Override
        public Integer call() {
            AccountId who = account("--owner", owner);
            List<DatasetInfo> ds = client().datasets(DatasetQuery.all().owner(who));
            if (global.json) {
                ArrayNode a = JSON.createArrayNode();
                ds.forEach(d -> a.add(MarketCli.json(d)));
                printJson(JSON.createObjectNode().put("owner", who.address()).set("datasets", a));
                return 0;
            }
            if (ds.isEmpty()) {
                out().println(who.address() + " has no datasets (`cloister data collect FILE --name NAME --schema SPEC` makes one)");
            }
            ds.forEach(d -> out().println(MarketCli.line(d)));
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Show a dataset's public metadata: schema, records and files (keys escrowed), listing, grants, policy, uses,"
                + " earnings, and after deletion whether the deletion receipt arrived.")
    static final class Show extends CliCommand {
        @Parameters(paramLabel = "DATASET", description = "Dataset number, or the name of one of --as's datasets.")
        String dataset;

        @Option(names = "--as", paramLabel = "ACCOUNT", defaultValue = "alice", description = "Whose names DATASET refers to (default: ${DEFAULT-VALUE}).")
        String as;

        @Override
        public Integer call() {
            AccountId who = account("--as", as);
            DatasetInfo d = MarketCli.dataset(client(), dataset, Optional.of(who));
            if (global.json) {
                printJson(MarketCli.json(d));
            } else {
                table(MarketCli.details(d));
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = {"Put your dataset on the market (or change its listing): its price, the purposes you accept, and its"
                + " privacy policy — every released group covers at least --k owners, each job spends at most --epsilon-cap of the"
                + " dataset's total --epsilon-total, and each owner counts for at most --rows-per-owner rows per group.",
                "Buyers still need your consent: a grant (`data grant`), a standing policy (`data policy`), or your approval"
                + " (`data requests`, `data approve`)."})
    static final class ListOnMarket extends OwnerCommand {
        @Parameters(paramLabel = "DATASET", description = "Your dataset (number or name).")
        String dataset;

        @Option(names = "--price", required = true, paramLabel = "CLO", description = "Price per use (per job).")
        String price;

        @Option(names = "--price-per-row", paramLabel = "CLO", defaultValue = "0", description = "Added per row per use (default: ${DEFAULT-VALUE}).")
        String pricePerRow;

        @Option(names = "--purposes", required = true, paramLabel = "LIST", description = "Accepted purposes, comma-separated: research,"
                + " product-analytics, advertising, public-health, education, market-research.")
        String purposes;

        @Option(names = "--k", paramLabel = "N", defaultValue = "3", description = "Minimum distinct owners per released group, at least 2 (default: ${DEFAULT-VALUE}).")
        int k;

        @Option(names = "--epsilon-total", paramLabel = "ε", defaultValue = "1", description = "The dataset's total privacy budget (default: ${DEFAULT-VALUE}).")
        String epsilonTotal;

        @Option(names = "--epsilon-cap", paramLabel = "ε", defaultValue = "0.25", description = "The most one job may spend (default: ${DEFAULT-VALUE}).")
        String epsilonCap;

        @Option(names = "--rows-per-owner", paramLabel = "N", defaultValue = "1",
                description = "Most rows one owner contributes per group (default: ${DEFAULT-VALUE}: one record per person).")
        int rowsPerOwner;

        @Option(names = "--description", paramLabel = "TEXT", defaultValue = "", description = "What buyers read about the data (public).")
        String description;

        @Option(names = "--preview", description = "Publish noisy summaries (record count; per numeric column its count and clamped mean),"
                + " computed here from your own records; spends a tenth of --epsilon-total. Without it, an earlier preview is kept.")
        boolean preview;

        @Override
        public Integer call() {
            long perUse = MarketCli.amount(this, "--price", price);
            long perRow = MarketCli.amount(this, "--price-per-row", pricePerRow);
            int mask = MarketCli.purposes(this, "--purposes", purposes);
            long total = MarketCli.epsilon(this, "--epsilon-total", epsilonTotal);
            long cap = MarketCli.epsilon(this, "--epsilon-cap", epsilonCap);
            if (k < 2) {
                throw usage("--k: at least 2 (a group of one owner would be that owner's data)");
            }
            if (cap > total) {
                throw usage("--epsilon-cap " + epsilonCap + " is over --epsilon-total " + epsilonTotal);
            }
            if (rowsPerOwner < 1) {
                throw usage("--rows-per-owner: at least 1");
            }
            if (description.getBytes(StandardCharsets.UTF_8).length > DataMarketCall.MAX_DESCRIPTION) {
                throw usage("--description: at most " + DataMarketCall.MAX_DESCRIPTION + " bytes");
            }
            SigningKey key = owner();
            CloisterClient node = client();
            DatasetInfo d = MarketCli.owned(node, dataset, key, false);
            Optional<DatasetPreview> kept = d.listing().flatMap(DatasetInfo.Listing::preview);
            byte[] previewBytes = kept.map(DatasetPreview::encode).orElse(new byte[0]);
            if (preview) {
                long eps = DataMarketCall.previewEpsilon(total);
                if (d.epsilonSpentMicros() + eps > total) {
                    throw new CloisterApiException("BUDGET_EXHAUSTED", "the preview spends ε " + MarketCli.eps(eps) + " and only "
                            + MarketCli.eps(Math.max(0, total - d.epsilonSpentMicros())) + " of the budget " + MarketCli.eps(total) + " is left");
                }
                Schema schema = d.schema().orElseThrow(() -> new CloisterApiException("BAD_SCHEMA", "dataset " + d.id() + " has no canonical schema"));
                try {
                    previewBytes = DatasetPreview.compute(schema, new DatasetReader(node, key).rows(d), new Epsilon(eps),
                            DiscreteLaplaceNoise.secure()).encode();
                } catch (IllegalArgumentException e) {
                    throw usage("--preview: " + e.getMessage());
                }
            }
            DataMarketCall.Listing listing = new DataMarketCall.Listing(description, perUse, perRow, mask, k, total, cap, rowsPerOwner, previewBytes);
            IncludedTx tx = MarketCli.send(this, node, key, new DataMarketCall.SetListing(d.id(), listing));
            if (tx == null) {
                return 1;
            }
            DatasetInfo now = node.dataset(d.id()).orElseThrow();
            if (global.json) {
                printJson(MarketCli.json(now).put("block", tx.status().height()));
                return 0;
            }
            List<String[]> rows = new ArrayList<>(List.of(new String[][] {
                {"listed", "dataset " + now.id() + " '" + now.name() + "' at block " + tx.status().height()},
                {"price", MarketCli.clo(now.listing().orElseThrow().listPrice()) + " per use"},
                {"purposes", String.join(", ", DataMarketCall.purposes(mask))},
                {"privacy", "k = " + k + "; ε " + MarketCli.eps(cap) + " per job of " + MarketCli.eps(total) + " in all ("
                    + MarketCli.eps(now.epsilonSpentMicros()) + " spent)"},
            }));
            if (preview) {
                rows.add(new String[] {"preview", "published; it spent ε " + MarketCli.eps(DataMarketCall.previewEpsilon(total))});
                rows.addAll(MarketCli.previewRows(now));
            } else if (kept.isPresent()) {
                rows.add(new String[] {"preview", "kept (no ε spent)"});
            }
            rows.add(new String[] {"next", "./cloister data policy " + now.id() + " --as " + as + " --purposes research --min-price " + price
                + "   (or wait for requests: ./cloister data requests --as " + as + ")"});
            table(rows.toArray(new String[0][]));
            return 0;
        }
    }

    @Command(name = "unlist", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Take your dataset off the market. Grants and the policy stay; jobs that already started still run.")
    static final class Unlist extends OwnerCommand {
        @Parameters(paramLabel = "DATASET", description = "Your dataset (number or name).")
        String dataset;

        @Override
        public Integer call() {
            SigningKey key = owner();
            CloisterClient node = client();
            DatasetInfo d = MarketCli.owned(node, dataset, key, false);
            IncludedTx tx = MarketCli.send(this, node, key, new DataMarketCall.Unlist(d.id()));
            if (tx == null) {
                return 1;
            }
            out().println("dataset " + d.id() + " '" + d.name() + "' is off the market (block " + tx.status().height() + ")");
            return 0;
        }
    }

    @Command(name = "grant", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = {"Consent in advance: let a buyer (--to) or anyone (--any) use your dataset for these purposes, for one"
                + " exact query (--sql, matched byte for byte by its SHA-256) or any aggregate query (--any-aggregate), at --price per use."
                + " Prints the grant's number (for `data revoke`)."})
    static final class GrantUse extends OwnerCommand {
        @Parameters(paramLabel = "DATASET", description = "Your dataset (number or name).")
        String dataset;

        @Option(names = "--to", paramLabel = "ACCOUNT", description = "The buyer: dev name, key name or address.")
        String to;

        @Option(names = "--any", description = "Any buyer.")
        boolean any;

        @Option(names = "--purposes", required = true, paramLabel = "LIST", description = "Purposes the grant covers, comma-separated.")
        String purposes;

        @Option(names = "--sql", paramLabel = "TEXT", description = "The one query it allows (exact text).")
        String sql;

        @Option(names = "--any-aggregate", description = "Any query the market accepts (aggregates only, with noise).")
        boolean anyAggregate;

        @Option(names = "--price", required = true, paramLabel = "CLO", description = "What the buyer pays you per use.")
        String price;

        @Option(names = "--expires-in", paramLabel = "BLOCKS", defaultValue = "0", description = "Expires this many blocks from now (default: never).")
        long expiresIn;

        @Option(names = "--max-uses", paramLabel = "N", defaultValue = "0", description = "At most this many jobs (default: unlimited).")
        int maxUses;

        @Override
        public Integer call() {
            if ((to == null) == !any) {
                throw usage("give the buyer with --to ACCOUNT, or --any for any buyer (one of them)");
            }
            if ((sql == null) == !anyAggregate) {
                throw usage("give the query with --sql TEXT, or --any-aggregate (one of them)");
            }
            if (expiresIn < 0 || maxUses < 0) {
                throw usage("--expires-in and --max-uses are not negative");
            }
            int mask = MarketCli.purposes(this, "--purposes", purposes);
            long units = MarketCli.amount(this, "--price", price);
            AccountId buyer = DataMarketCall.ANY_BUYER;
            if (to != null) {
                buyer = account("--to", to);
            }
            Hash algorithm = sql == null ? DataMarketCall.ANY_AGGREGATE : Sha256.hash(sql.getBytes(StandardCharsets.UTF_8));
            SigningKey key = owner();
            CloisterClient node = client();
            DatasetInfo d = MarketCli.owned(node, dataset, key, false);
            long expiresAt = expiresIn == 0 ? 0 : node.head().height() + expiresIn;
            IncludedTx tx = MarketCli.send(this, node, key, new DataMarketCall.Grant(d.id(), buyer, mask, algorithm, units, expiresAt, maxUses));
            if (tx == null) {
                return 1;
            }
            long index = MarketCli.eventNumber(node, tx, "GrantAdded", "grant");
            if (global.json) {
                printJson(JSON.createObjectNode().put("dataset", d.id()).put("grant", index).put("block", tx.status().height()));
                return 0;
            }
            table(new String[][] {
                {"grant", "#" + index + " on dataset " + d.id() + " '" + d.name() + "' (block " + tx.status().height() + ")"},
                {"to", to == null ? "any buyer" : buyer.address()},
                {"for", String.join(", ", DataMarketCall.purposes(mask)) + "; " + (sql == null ? "any aggregate query" : "SQL " + algorithm.hex())},
                {"price", MarketCli.clo(units) + " per use" + (maxUses > 0 ? ", at most " + maxUses + " uses" : "")
                    + (expiresAt > 0 ? ", until block " + expiresAt : "")},
                {"revoke", "./cloister data revoke " + d.id() + " " + index + " --as " + as},
            });
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Revoke a grant: no job that has not started yet may use it (jobs already running finish).")
    static final class Revoke extends OwnerCommand {
        @Parameters(index = "0", paramLabel = "DATASET", description = "Your dataset (number or name).")
        String dataset;

        @Parameters(index = "1", paramLabel = "GRANT", description = "The grant's number (as `data grant` printed it; `data show` lists them).")
        int grant;

        @Override
        public Integer call() {
            SigningKey key = owner();
            CloisterClient node = client();
            DatasetInfo d = MarketCli.owned(node, dataset, key, false);
            if (grant < 0 || grant >= d.grants().size()) {
                throw new CloisterApiException("INVALID_ARGUMENT", "dataset " + d.id() + " has no grant " + grant + " (it has "
                        + d.grants().size() + ")");
            }
            IncludedTx tx = MarketCli.send(this, node, key, new DataMarketCall.Revoke(d.id(), grant));
            if (tx == null) {
                return 1;
            }
            out().println("grant #" + grant + " of dataset " + d.id() + " revoked (block " + tx.status().height() + ")");
            return 0;
        }
    }

    @Command(name = "policy", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = {"Standing consent: jobs for one of --purposes that pay at least --min-price are consented without asking"
                + " you (every job is an aggregate query with noise; the market refuses anything else). --clear removes it."})
    static final class Policy extends OwnerCommand {
        @Parameters(paramLabel = "DATASET", description = "Your dataset (number or name).")
        String dataset;

        @Option(names = "--purposes", paramLabel = "LIST", description = "Purposes consented to, comma-separated.")
        String purposes;

        @Option(names = "--min-price", paramLabel = "CLO", defaultValue = "0",
                description = "The least a job must pay you (your listing's price is what it pays; default: ${DEFAULT-VALUE}).")
        String minPrice;

        @Option(names = "--clear", description = "Remove the standing consent.")
        boolean clear;

        @Override
        public Integer call() {
            if (clear == (purposes != null)) {
                throw usage("give --purposes LIST, or --clear (one of them)");
            }
            int mask = clear ? 0 : MarketCli.purposes(this, "--purposes", purposes);
            long min = MarketCli.amount(this, "--min-price", minPrice);
            SigningKey key = owner();
            CloisterClient node = client();
            DatasetInfo d = MarketCli.owned(node, dataset, key, false);
            IncludedTx tx = MarketCli.send(this, node, key, new DataMarketCall.SetPolicy(d.id(), mask, min));
            if (tx == null) {
                return 1;
            }
            if (clear) {
                out().println("dataset " + d.id() + ": no standing consent; jobs without a grant wait for your decision (block "
                        + tx.status().height() + ")");
            } else {
                out().println("dataset " + d.id() + ": consents to " + String.join(", ", DataMarketCall.purposes(mask)) + " jobs paying at least "
                        + MarketCli.clo(min) + (d.listing().isPresent() ? " (the listing asks " + MarketCli.clo(d.listing().get().listPrice()) + ")"
                        : " (list it for buyers to find it)") + " — block " + tx.status().height());
            }
            return 0;
        }
    }

    @Command(name = "requests", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Jobs waiting for your decision: who asks, for what purpose, the exact SQL, the price offered and the ε it"
                + " spends; decide with `data approve` or `data decline` before the deadline.")
    static final class Requests extends CliCommand {
        @Option(names = {"--as", "--owner"}, paramLabel = "ACCOUNT", defaultValue = "alice", description = "The owner (default: ${DEFAULT-VALUE}).")
        String as;

        @Override
        public Integer call() {
            AccountId who = account("--as", as);
            List<JobInfo> jobs = client().jobs(JobQuery.all().awaiting(who));
            if (global.json) {
                ArrayNode a = JSON.createArrayNode();
                for (JobInfo j : jobs) {
                    for (JobInfo.Entry e : pending(j, who)) {
                        a.addObject().put("job", j.id()).put("dataset", e.dataset()).put("buyer", j.buyer().address()).put("purpose", j.purpose())
                                .put("sql", j.sql()).put("price", Tokens.format(e.price())).put("epsilon", MarketCli.eps(j.epsilonMicros()))
                                .put("deadline", j.consentDeadline());
                    }
                }
                printJson(JSON.createObjectNode().put("owner", who.address()).set("requests", a));
                return 0;
            }
            if (jobs.isEmpty()) {
                out().println("no job is waiting for a decision of " + who.address());
            }
            for (JobInfo j : jobs) {
                for (JobInfo.Entry e : pending(j, who)) {
                    out().println("job " + j.id() + "  dataset " + e.dataset() + "  purpose " + j.purpose() + "  offers " + MarketCli.clo(e.price())
                            + "  ε " + MarketCli.eps(j.epsilonMicros()) + "  decide before block " + j.consentDeadline());
                    out().println("  buyer " + j.buyer().address());
                    out().println("  sql   " + j.sql());
                    out().println("  ./cloister data approve " + j.id() + " " + e.dataset() + " --as " + as + "   |   data decline …");
                }
            }
            return 0;
        }

        private static List<JobInfo.Entry> pending(JobInfo j, AccountId who) {
            return j.datasets().stream().filter(e -> e.state().equals("pending") && e.owner().equals(who)).toList();
        }
    }

    /** approve / decline: one dataset of the job, or all of yours it waits for. */
    abstract static class Decision extends OwnerCommand {
        @Parameters(index = "0", paramLabel = "JOB", description = "The job (as `data requests` shows it).")
        long job;

        @Parameters(index = "1", arity = "0..1", paramLabel = "DATASET", description = "Your dataset in it (default: every one of yours it waits for).")
        String dataset;

        abstract boolean approve();

        @Override
        public Integer call() {
            SigningKey key = owner();
            CloisterClient node = client();
            JobInfo j = MarketCli.job(node, job);
            if (!j.state().equals(JobInfo.AWAITING_CONSENT)) {
                throw new CloisterApiException("WRONG_JOB_STATE", "job " + job + " is " + j.stateText() + ": it no longer takes decisions");
            }
            List<Long> ids = new ArrayList<>();
            if (dataset != null) {
                DatasetInfo d = MarketCli.owned(node, dataset, key, true);
                JobInfo.Entry e = j.datasets().stream().filter(x -> x.dataset() == d.id()).findFirst().orElseThrow(() ->
                        new CloisterApiException("UNKNOWN_DATASET", "job " + job + " does not ask for dataset " + d.id()));
                if (!e.state().equals("pending")) {
                    throw new CloisterApiException("WRONG_JOB_STATE", "dataset " + d.id() + " is already " + e.state() + " for job " + job);
                }
                ids.add(d.id());
            } else {
                j.datasets().stream().filter(e -> e.state().equals("pending") && e.owner().equals(key.account())).forEach(e -> ids.add(e.dataset()));
                if (ids.isEmpty()) {
                    throw new CloisterApiException("NOT_OWNER", "job " + job + " waits for no decision of " + key.account().address());
                }
            }
            List<DataMarketCall.Decide> calls = ids.stream().map(id -> new DataMarketCall.Decide(job, id, approve())).toList();
            List<IncludedTx> done = MarketCli.sendAll(this, node, key, calls);
            if (done.contains(null)) {
                return 1;
            }
            JobInfo now = MarketCli.job(node, job);
            if (global.json) {
                ArrayNode a = JSON.createArrayNode();
                ids.forEach(a::add);
                printJson(JSON.createObjectNode().put("job", job).put("approved", approve()).put("jobState", now.state()).set("datasets", a));
                return 0;
            }
            out().println((approve() ? "approved" : "declined") + ": job " + job + ", dataset" + (ids.size() == 1 ? " " : "s ")
                    + ids.stream().map(String::valueOf).reduce((a, b) -> a + ", " + b).orElse("") + " (block "
                    + done.get(done.size() - 1).status().height() + "); the job is now " + now.stateText()
                    + (now.reason().isEmpty() ? "" : ": " + now.reason()));
            return 0;
        }
    }

    @Command(name = "approve", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Consent to a job waiting for you: your dataset is used at the price shown in `data requests`; you are paid when the job is done.")
    static final class Approve extends Decision {
        @Override
        boolean approve() {
            return true;
        }
    }

    @Command(name = "decline", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Refuse a job waiting for you: it runs without your dataset (or is cancelled and refunded if too few owners remain).")
    static final class Decline extends Decision {
        @Override
        boolean approve() {
            return false;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = {"Delete your dataset: it leaves the market, jobs not yet started lose it, its storage orders are cancelled"
                + " (unearned storage escrow refunded), and a worker of the escrow cluster is asked to sign a deletion receipt —"
                + " its enclave refuses to open the dataset's keys from then on. Waits --wait seconds for the receipt;"
                + " `data show DATASET` shows it later.",
                "Honest limit: the escrowed keys stay in the chain's history; deletion is enforced by the attested code, not by mathematics."})
    static final class Delete extends OwnerCommand {
        @Parameters(paramLabel = "DATASET", description = "Your dataset (number or name).")
        String dataset;

        @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "10", description = "How long to wait for the receipt (default: ${DEFAULT-VALUE}).")
        int waitSeconds;

        @Override
        public Integer call() throws InterruptedException {
            SigningKey key = owner();
            CloisterClient node = client();
            DatasetInfo d = MarketCli.owned(node, dataset, key, false);
            IncludedTx tx = MarketCli.send(this, node, key, new DataMarketCall.DeleteDataset(d.id()));
            if (tx == null) {
                return 1;
            }
            long cancelled = MarketCli.eventNumber(node, tx, "DatasetDeleted", "ordersCancelled");
            long deadline = System.nanoTime() + waitSeconds * 1_000_000_000L;
            DatasetInfo now = node.dataset(d.id()).orElseThrow();
            while (!now.receiptPresent() && now.receiptWorker().isPresent() && System.nanoTime() < deadline) {
                Thread.sleep(250);
                now = node.dataset(d.id()).orElseThrow();
            }
            if (global.json) {
                printJson(JSON.createObjectNode().put("dataset", d.id()).put("deletedAt", now.deletedAt()).put("ordersCancelled", cancelled)
                        .put("receiptWorker", now.receiptWorker().map(w -> w.hex()).orElse(null)).put("receiptPresent", now.receiptPresent()));
                return 0;
            }
            DatasetInfo fin = now;
            table(new String[][] {
                {"deleted", "dataset " + d.id() + " '" + d.name() + "' at block " + now.deletedAt()},
                {"storage", cancelled + " of " + d.batchCount() + " file orders cancelled (unearned escrow refunded)"},
                {"receipt", fin.receiptPresent() ? "signed by worker " + fin.receiptWorker().map(w -> w.hex().substring(0, 16)).orElse("?") + "… (on chain)"
                    : fin.receiptWorker().map(w -> "not yet after " + waitSeconds + " s: worker " + w.hex().substring(0, 16)
                        + "… was asked to sign it; `./cloister data show " + d.id() + "` shows it when it arrives")
                        .orElse("none: cluster " + d.cluster() + " has no worker to sign it")},
            });
            return 0;
        }
    }

    @Command(name = "earnings", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "What an owner has been paid for the use of their datasets, in all and per dataset.")
    static final class Earnings extends CliCommand {
        @Option(names = {"--as", "--owner"}, paramLabel = "ACCOUNT", defaultValue = "alice", description = "The owner (default: ${DEFAULT-VALUE}).")
        String as;

        @Override
        public Integer call() {
            AccountId who = account("--as", as);
            EarningsInfo e = client().earnings(who);
            if (global.json) {
                ObjectNode n = JSON.createObjectNode().put("owner", who.address()).put("earned", Tokens.format(e.earned()));
                ArrayNode a = n.putArray("datasets");
                e.datasets().forEach(d -> a.addObject().put("id", d.id()).put("name", d.name()).put("uses", d.uses())
                        .put("earned", Tokens.format(d.earned())));
                printJson(n);
                return 0;
            }
            out().println(who.address() + " earned " + MarketCli.clo(e.earned()) + " from W3A jobs");
            e.datasets().forEach(d -> out().println(String.format("  %-4d %-20s %d use%s  %s", d.id(), d.name(), d.uses(), d.uses() == 1 ? "" : "s",
                    MarketCli.clo(d.earned()))));
            return 0;
        }
    }
}
