package cloister.node.cli;

import cloister.common.Hash;
import cloister.common.Tokens;
import cloister.crypto.AccountId;
import cloister.crypto.SigningKey;
import cloister.market.data.DatasetPreview;
import cloister.market.data.Schema;
import cloister.market.privacy.Epsilon;
import cloister.proto.Call;
import cloister.proto.DataMarketCall;
import cloister.sdk.CloisterApiException;
import cloister.sdk.CloisterClient;
import cloister.sdk.DatasetInfo;
import cloister.sdk.DatasetQuery;
import cloister.sdk.IncludedTx;
import cloister.sdk.JobInfo;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** What the {@code data}, {@code market} and {@code job} commands share: argument parsing, look-ups with friendly refusals, printing. */
final class MarketCli {
    private static final Pattern NUMBER = Pattern.compile("[0-9]{1,18}");
    private static final Pattern HASH_HEX = Pattern.compile("(0x)?[0-9a-fA-F]{64}");

    private MarketCli() {}

    // ---------------------------------------------------------------- arguments

    /** A dataset by number, or by name among {@code owner}'s datasets; refused with the chain's words if there is none. */
    static DatasetInfo dataset(CloisterClient node, String ref, Optional<AccountId> owner) {
        if (NUMBER.matcher(ref).matches()) {
            long id = Long.parseLong(ref);
            return node.dataset(id).orElseThrow(() -> new CloisterApiException("UNKNOWN_DATASET", "no dataset " + id
                    + " (`cloister market ls` lists the listed ones, `cloister data ls --owner ACCOUNT` an owner's)"));
        }
        if (owner.isEmpty()) {
            throw new CloisterApiException("UNKNOWN_DATASET", "'" + ref + "' is not a dataset number");
        }
        return node.dataset(owner.get(), ref).orElseThrow(() -> new CloisterApiException("UNKNOWN_DATASET", owner.get().address()
                + " has no dataset named '" + ref + "' (`cloister data ls --owner " + owner.get().address() + "` lists them)"));
    }

    /** {@code key}'s own dataset (not deleted, unless {@code deletedOk}), or the refusal the chain would give. */
    static DatasetInfo owned(CloisterClient node, String ref, SigningKey key, boolean deletedOk) {
        DatasetInfo d = dataset(node, ref, Optional.of(key.account()));
        if (!d.owner().equals(key.account())) {
            throw new CloisterApiException("NOT_OWNER", "dataset " + d.id() + " belongs to " + d.owner().address() + ", not to "
                    + key.account().address());
        }
        if (!deletedOk && d.deleted()) {
            throw new CloisterApiException("DATASET_DELETED", "dataset " + d.id() + " was deleted at block " + d.deletedAt());
        }
        return d;
    }

    static JobInfo job(CloisterClient node, long id) {
        return node.job(id).orElseThrow(() -> new CloisterApiException("UNKNOWN_JOB", "no job " + id + " (`cloister job ls` lists them)"));
    }

    /** A comma-separated list of purpose words as a mask. */
    static int purposes(CliCommand c, String option, String list) {
        int mask = 0;
        for (String w : list.split(",")) {
            String word = w.strip();
            if (word.isEmpty()) {
                continue;
            }
            int bit = DataMarketCall.purposeBit(word);
            if (bit < 0) {
                throw c.usage(option + ": '" + word + "' is not a purpose; the purposes are " + String.join(", ", DataMarketCall.PURPOSES));
            }
            mask |= bit;
        }
        if (mask == 0) {
            throw c.usage(option + ": name one or more of " + String.join(", ", DataMarketCall.PURPOSES));
        }
        return mask;
    }

    /** One purpose word as its index. */
    static int purpose(CliCommand c, String option, String word) {
        int i = DataMarketCall.PURPOSES.indexOf(word.strip());
        if (i < 0) {
            throw c.usage(option + ": '" + word + "' is not a purpose; the purposes are " + String.join(", ", DataMarketCall.PURPOSES));
        }
        return i;
    }

    /** A positive ε in decimal text, as micro-ε. */
    static long epsilon(CliCommand c, String option, String text) {
        try {
            long micros = Epsilon.of(text).micros();
            if (micros <= 0) {
                throw c.usage(option + ": ε must be positive");
            }
            return micros;
        } catch (IllegalArgumentException e) {
            throw c.usage(option + ": " + e.getMessage());
        }
    }

    /** An amount in CLO as base units. */
    static long amount(CliCommand c, String option, String text) {
        try {
            return Tokens.parse(text);
        } catch (IllegalArgumentException e) {
            throw c.usage(option + ": " + e.getMessage());
        }
    }

    /** A schema given as a spec ({@code age_band:text,income:real[0,250000]}) or as a 64-digit hex hash. */
    record SchemaRef(Hash hash, Optional<Schema> schema) {}

    static SchemaRef schemaRef(CliCommand c, String option, String text) {
        if (HASH_HEX.matcher(text.strip()).matches()) {
            String hex = text.strip();
            return new SchemaRef(Hash.fromHex(hex.startsWith("0x") ? hex.substring(2) : hex), Optional.empty());
        }
        try {
            Schema s = Schema.parse(text);
            return new SchemaRef(s.hash(), Optional.of(s));
        } catch (IllegalArgumentException e) {
            throw c.usage(option + ": neither a schema hash (64 hex digits) nor a schema spec: " + e.getMessage());
        }
    }

    static String clo(long units) {
        return Tokens.format(units) + " " + Tokens.SYMBOL;
    }

    static String eps(long micros) {
        return new Epsilon(micros).toString();
    }

    // ---------------------------------------------------------------- sending

    /** Sends one call and waits for its block; prints the refusal (exit 1) and returns null if the chain refused it. */
    static IncludedTx send(CliCommand c, CloisterClient node, SigningKey key, Call call) {
        return sendAll(c, node, key, List.of(call)).get(0);
    }

    /** Sends calls in order and waits for their blocks; on the first refusal prints it and returns null for it. */
    static List<IncludedTx> sendAll(CliCommand c, CloisterClient node, SigningKey key, List<? extends Call> calls) {
        List<IncludedTx> done = node.sendAllAndWait(key, calls, Duration.ofSeconds(60));
        List<IncludedTx> out = new ArrayList<>(done);
        for (int i = 0; i < done.size(); i++) {
            if (!done.get(i).ok()) {
                c.ctx.err().println("error: " + done.get(i).failure() + " (" + calls.get(i).name() + " was included in block "
                        + done.get(i).status().height() + " but refused; the fee was charged)");
                out.set(i, null);
                return out;
            }
        }
        return out;
    }

    /** The number field of the first event of {@code type} in {@code tx}'s block whose other field matches, or -1. */
    static long eventNumber(CloisterClient node, IncludedTx tx, String type, String field) {
        return node.events(tx.status().height()).stream().filter(e -> e.type().equals(type) && e.txIndex() == tx.status().index())
                .mapToLong(e -> Long.parseLong(e.fields().getOrDefault(field, "-1"))).findFirst().orElse(-1);
    }

    // ---------------------------------------------------------------- printing

    /** One line for a dataset list. */
    static String line(DatasetInfo d) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-4d %-20s %,d rows  %d file%s", d.id(), d.name(), d.rows(), d.batchCount(), d.batchCount() == 1 ? "" : "s"));
        if (d.deleted()) {
            sb.append("  DELETED at block ").append(d.deletedAt());
        } else if (d.listing().isPresent()) {
            DatasetInfo.Listing l = d.listing().get();
            sb.append("  listed: ").append(clo(l.listPrice())).append(" per use, ").append(String.join(",", l.purposes())).append(", k ")
                    .append(l.k()).append(", ε left ").append(eps(d.epsilonLeftMicros())).append(" of ").append(eps(l.epsilonTotalMicros()));
        } else {
            sb.append("  not listed");
        }
        d.policy().ifPresent(p -> sb.append("  policy: ").append(String.join(",", p.purposes())).append(" ≥ ").append(clo(p.minPrice())));
        if (d.uses() > 0 || d.earned() > 0) {
            sb.append("  ").append(d.uses()).append(" use").append(d.uses() == 1 ? "" : "s").append(", earned ").append(clo(d.earned()));
        }
        return sb.toString();
    }

    /** Everything public about a dataset, as label/value rows. */
    static String[][] details(DatasetInfo d) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"dataset", d.id() + " '" + d.name() + "'"});
        rows.add(new String[] {"owner", d.owner().address()});
        rows.add(new String[] {"schema", d.schema().map(Schema::spec).orElse("(not a canonical schema)")});
        rows.add(new String[] {"schema hash", d.schemaHash().hex()});
        rows.add(new String[] {"records", String.format("%,d rows in %d file%s (%,d bytes stored, encrypted; data keys escrowed to cluster %d)",
            d.rows(), d.batchCount(), d.batchCount() == 1 ? "" : "s", d.size(), d.cluster())});
        for (DatasetInfo.Batch b : d.batches()) {
            rows.add(new String[] {"", String.format("%s  %,d rows  %,d bytes  key escrowed", b.cid(), b.rows(), b.size())});
        }
        rows.add(new String[] {"registered", "block " + d.createdAt()});
        if (d.listing().isPresent()) {
            DatasetInfo.Listing l = d.listing().get();
            rows.add(new String[] {"listed", d.deleted() ? "no (deleted)" : "yes" + (l.description().isEmpty() ? "" : ": " + l.description())});
            rows.add(new String[] {"price", clo(l.listPrice()) + " per use (" + clo(l.pricePerUse()) + " + " + clo(l.pricePerRow()) + " per row)"});
            rows.add(new String[] {"purposes", String.join(", ", l.purposes())});
            rows.add(new String[] {"privacy", "k = " + l.k() + " owners per released group; ε budget " + eps(l.epsilonTotalMicros()) + ", spent "
                + eps(d.epsilonSpentMicros()) + ", left " + eps(d.epsilonLeftMicros()) + ", at most " + eps(l.epsilonCapMicros())
                + " per job; at most " + l.maxRowsPerOwner() + " row" + (l.maxRowsPerOwner() == 1 ? "" : "s") + " per owner and group"});
            rows.addAll(previewRows(d));
        } else {
            rows.add(new String[] {"listed", "no" + (d.epsilonSpentMicros() > 0 ? " (ε spent so far " + eps(d.epsilonSpentMicros()) + ")" : "")});
        }
        rows.add(new String[] {"policy", d.policy().map(p -> "consents to " + String.join(", ", p.purposes()) + " jobs paying at least "
            + clo(p.minPrice())).orElse("none (jobs without a grant wait for the owner's decision)")});
        if (d.grants().isEmpty()) {
            rows.add(new String[] {"grants", "none"});
        }
        for (DatasetInfo.Grant g : d.grants()) {
            rows.add(new String[] {g.index() == 0 ? "grants" : "", "#" + g.index() + " to " + g.buyer().map(AccountId::address).orElse("any buyer")
                + ", " + String.join(",", g.purposes()) + ", " + g.sqlHash().map(h -> "SQL " + h.shortHex()).orElse("any aggregate") + ", "
                + clo(g.price()) + (g.expiresAt() > 0 ? ", until block " + g.expiresAt() : "") + ", used " + g.uses()
                + (g.maxUses() > 0 ? " of " + g.maxUses() : "") + (g.revoked() ? ", REVOKED" : g.usable() ? "" : ", not usable")});
        }
        rows.add(new String[] {"uses", d.uses() + " job" + (d.uses() == 1 ? "" : "s") + ", earned " + clo(d.earned())});
        if (d.deleted()) {
            rows.add(new String[] {"deleted", "at block " + d.deletedAt()});
            rows.add(new String[] {"receipt", d.receiptPresent()
                ? "signed by worker " + d.receiptWorker().map(w -> w.hex().substring(0, 16) + "…").orElse("?") + " (on chain)"
                : d.receiptWorker().map(w -> "not yet: worker " + w.hex().substring(0, 16) + "… was asked to sign it").orElse("none: the cluster had no worker")});
        }
        return rows.toArray(new String[0][]);
    }

    /** The listing's noisy preview, if it has one, as label/value rows. */
    static List<String[]> previewRows(DatasetInfo d) {
        List<String[]> rows = new ArrayList<>();
        d.listing().flatMap(DatasetInfo.Listing::preview).ifPresent(p -> {
            rows.add(new String[] {"preview", String.format("about %,d records (noisy summaries the owner published, ε %s)", p.records(),
                eps(p.epsilonMicros()))});
            for (DatasetPreview.ColumnSummary c : p.columns()) {
                rows.add(new String[] {"", String.format("%-16s about %,d values, mean %s", c.column(), c.count(),
                    c.mean().isPresent() ? String.format(java.util.Locale.ROOT, "≈ %,.2f", c.mean().getAsDouble()) : "unknown")});
            }
        });
        return rows;
    }

    static ObjectNode json(DatasetInfo d) {
        ObjectNode n = CliCommand.JSON.createObjectNode().put("id", d.id()).put("name", d.name()).put("owner", d.owner().address())
                .put("schema", d.schema().map(Schema::spec).orElse(null)).put("schemaHash", d.schemaHash().hex()).put("rows", d.rows())
                .put("size", d.size()).put("files", d.batchCount()).put("cluster", d.cluster()).put("listed", d.listed());
        d.listing().ifPresent(l -> {
            ObjectNode o = n.putObject("listing").put("description", l.description()).put("listPrice", Tokens.format(l.listPrice()))
                    .put("pricePerUse", Tokens.format(l.pricePerUse())).put("pricePerRow", Tokens.format(l.pricePerRow())).put("k", l.k())
                    .put("epsilonTotal", eps(l.epsilonTotalMicros())).put("epsilonCap", eps(l.epsilonCapMicros()))
                    .put("maxRowsPerOwner", l.maxRowsPerOwner());
            ArrayNode p = o.putArray("purposes");
            l.purposes().forEach(p::add);
            l.preview().ifPresentOrElse(pv -> {
                ObjectNode v = o.putObject("preview").put("epsilon", eps(pv.epsilonMicros())).put("records", pv.records());
                ArrayNode cols = v.putArray("columns");
                pv.columns().forEach(c -> {
                    ObjectNode x = cols.addObject().put("column", c.column()).put("count", c.count());
                    if (c.mean().isPresent()) {
                        x.put("mean", c.mean().getAsDouble());
                    } else {
                        x.putNull("mean");
                    }
                });
            }, () -> o.putNull("preview"));
        });
        n.put("epsilonSpent", eps(d.epsilonSpentMicros())).put("epsilonLeft", eps(d.epsilonLeftMicros()));
        d.policy().ifPresent(p -> n.putObject("policy").put("purposes", String.join(",", p.purposes())).put("minPrice", Tokens.format(p.minPrice())));
        ArrayNode g = n.putArray("grants");
        d.grants().forEach(x -> g.addObject().put("index", x.index()).put("buyer", x.buyer().map(AccountId::address).orElse("any"))
                .put("purposes", String.join(",", x.purposes())).put("sqlHash", x.sqlHash().map(Hash::hex).orElse("any aggregate"))
                .put("price", Tokens.format(x.price())).put("uses", x.uses()).put("revoked", x.revoked()).put("usable", x.usable()));
        n.put("uses", d.uses()).put("earned", Tokens.format(d.earned())).put("deleted", d.deleted()).put("deletedAt", d.deletedAt())
                .put("receiptPresent", d.receiptPresent());
        ArrayNode b = n.putArray("batches");
        d.batches().forEach(x -> b.addObject().put("cid", x.cid()).put("rows", x.rows()).put("size", x.size()).put("dataKey", "escrowed"));
        return n;
    }

    /** One line for the audit log. */
    static String line(JobInfo j) {
        return String.format("%-4d %-16s %-17s buyer %s…  %d dataset%s, %d owner%s  ε %s  paid %s%s%n     %s", j.id(), j.stateText(), j.purpose(),
                j.buyer().address().substring(0, 16), j.datasets().size(), j.datasets().size() == 1 ? "" : "s", j.datasetOwners(),
                j.datasetOwners() == 1 ? "" : "s", eps(j.epsilonMicros()), clo(j.paid()), j.reason().isEmpty() ? "" : "  (" + j.reason() + ")",
                j.sql());
    }

    static String[][] details(JobInfo j) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"job", Long.toString(j.id())});
        rows.add(new String[] {"state", j.stateText() + (j.reason().isEmpty() ? "" : ": " + j.reason())});
        rows.add(new String[] {"buyer", j.buyer().address()});
        rows.add(new String[] {"purpose", j.purpose()});
        rows.add(new String[] {"sql", j.sql()});
        rows.add(new String[] {"sql hash", j.sqlHash().hex()});
        rows.add(new String[] {"ε", eps(j.epsilonMicros()) + " per dataset"});
        rows.add(new String[] {"budget", clo(j.budget()) + " escrowed at block " + j.submittedAt()
            + (j.state().equals(JobInfo.AWAITING_CONSENT) ? "; owners decide until block " + j.consentDeadline() : "")});
        for (JobInfo.Entry e : j.datasets()) {
            rows.add(new String[] {e.equals(j.datasets().get(0)) ? "datasets" : "", "dataset " + e.dataset() + "  " + e.state()
                + (e.how().isEmpty() ? "" : " (" + e.how() + ")") + "  " + clo(e.price()) + "  owner " + e.owner().address().substring(0, 16) + "…"
                + (e.note().isEmpty() ? "" : "  " + e.note())});
        }
        j.worker().ifPresent(w -> rows.add(new String[] {"worker", w.hex().substring(0, 16) + "… (" + j.workerPlatform().orElse("?")
            + (j.workerPlatform().orElse("").equals("sim") ? ": a software stand-in for a TEE, no hardware protection" : "") + "), started at block "
            + j.startedAt()}));
        if (j.ended()) {
            rows.add(new String[] {"ended", "block " + j.endedAt() + "; paid " + clo(j.paid()) + ", refunded " + clo(j.refund())});
        }
        j.resultHash().ifPresent(h -> rows.add(new String[] {"result", h.hex() + " (" + j.sealedResultBytes() + " bytes sealed to the buyer; "
            + j.owners() + " owners, " + j.rows() + " rows read)"}));
        return rows.toArray(new String[0][]);
    }

    static ObjectNode json(JobInfo j) {
        ObjectNode n = CliCommand.JSON.createObjectNode().put("id", j.id()).put("state", j.state()).put("buyer", j.buyer().address())
                .put("purpose", j.purpose()).put("sql", j.sql()).put("sqlHash", j.sqlHash().hex()).put("epsilon", eps(j.epsilonMicros()))
                .put("budget", Tokens.format(j.budget())).put("submittedAt", j.submittedAt()).put("consentDeadline", j.consentDeadline());
        ArrayNode ds = n.putArray("datasets");
        j.datasets().forEach(e -> ds.addObject().put("dataset", e.dataset()).put("owner", e.owner().address()).put("state", e.state())
                .put("price", Tokens.format(e.price())).put("how", e.how()).put("note", e.note()));
        n.put("datasetOwners", j.datasetOwners()).put("worker", j.worker().map(w -> w.hex()).orElse(null))
                .put("workerPlatform", j.workerPlatform().orElse(null)).put("startedAt", j.startedAt()).put("endedAt", j.endedAt())
                .put("owners", j.owners()).put("rows", j.rows()).put("resultHash", j.resultHash().map(Hash::hex).orElse(null))
                .put("paid", Tokens.format(j.paid())).put("refund", Tokens.format(j.refund())).put("reason", j.reason());
        return n;
    }

    /** Datasets a job given by schema would use, as the chain picks them: listed, the purpose accepted, ε within cap and budget. */
    static List<DatasetInfo> eligible(CloisterClient node, Hash schema, String purpose, long epsilonMicros) {
        return node.datasets(DatasetQuery.all().schema(schema).purpose(purpose)).stream()
                .filter(d -> d.listing().isPresent() && epsilonMicros <= d.listing().get().epsilonCapMicros() && epsilonMicros <= d.epsilonLeftMicros())
                .toList();
    }
}
