package cloister.node.api;

import cloister.chain.runtime.datamarket.DataMarket;
import cloister.chain.runtime.registry.Registry;
import cloister.chain.store.StateReader;
import cloister.common.Hash;
import cloister.common.Hex;
import cloister.crypto.AccountId;
import cloister.market.data.DatasetPreview;
import cloister.market.data.Schema;
import cloister.market.privacy.Epsilon;
import cloister.proto.DataMarketCall;
import cloister.tee.Platform;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * JSON shapes of the W3A data market: datasets (public metadata only — a batch's data key is shown as "escrowed",
 * never as bytes), jobs (the public audit log), earnings and the purpose list. ε is given twice: decimal text
 * ({@code "epsilon": "0.1"}) and exact micro-ε ({@code "epsilonMicros": 100000}).
 */
final class MarketViews {
    /** What the API says instead of a batch's wrapped data key. */
    static final String ESCROWED = "escrowed";

    private MarketViews() {}

    /** Which datasets {@code GET /v1/market/datasets} lists. Empty fields do not filter. */
    record DatasetFilter(Optional<AccountId> owner, Optional<String> name, Optional<Hash> schema, Optional<Integer> purpose,
                         boolean listedOnly, Optional<String> text) {
        boolean matches(DataMarket.Dataset d) {
            if (owner.isPresent() && !d.owner().equals(owner.get())) {
                return false;
            }
            if (name.isPresent() && !d.name().equals(name.get())) {
                return false;
            }
            if (schema.isPresent() && !d.schemaHash().equals(schema.get())) {
                return false;
            }
            boolean listed = !d.deleted() && d.listing().isPresent();
            if ((listedOnly || purpose.isPresent()) && !listed) {
                return false;
            }
            if (purpose.isPresent() && (d.listing().get().purposes() & (1 << purpose.get())) == 0) {
                return false;
            }
            if (text.isPresent()) {
                String q = text.get().toLowerCase(Locale.ROOT);
                String description = d.listing().map(DataMarketCall.Listing::description).orElse("");
                return d.name().toLowerCase(Locale.ROOT).contains(q) || description.toLowerCase(Locale.ROOT).contains(q);
            }
            return true;
        }
    }

    /** Which jobs {@code GET /v1/market/jobs} lists: by buyer, by state, awaiting an owner's decision. */
    record JobFilter(Optional<AccountId> buyer, Optional<DataMarket.JobState> state, Optional<AccountId> awaiting) {
        boolean matches(DataMarket.Job j) {
            if (buyer.isPresent() && !j.buyer().equals(buyer.get())) {
                return false;
            }
            if (state.isPresent() && j.state() != state.get()) {
                return false;
            }
            return awaiting.isEmpty() || j.state() == DataMarket.JobState.AWAITING_CONSENT && j.entries().stream()
                    .anyMatch(e -> e.state() == DataMarket.EntryState.PENDING && e.owner().equals(awaiting.get()));
        }
    }

    static ObjectNode datasets(StateReader s, DatasetFilter filter, int limit, long head) {
        ObjectNode n = JsonViews.JSON.createObjectNode();
        ArrayNode a = n.putArray("datasets");
        long next = DataMarket.nextDataset(s);
        boolean more = false;
        for (long id = 1; id < next; id++) {
            Optional<DataMarket.Dataset> d = DataMarket.dataset(s, id);
            if (d.isPresent() && filter.matches(d.get())) {
                if (a.size() == limit) {
                    more = true;
                    break;
                }
                a.add(dataset(d.get(), false, head));
            }
        }
        n.put("more", more);
        return n;
    }

    /**
     * A dataset's public metadata. {@code detail} adds the batches (file CID, rows, stored size) and the signed
     * deletion receipt. A grant is {@code usable} at block {@code head}.
     */
    static ObjectNode dataset(DataMarket.Dataset d, boolean detail, long head) {
        ObjectNode n = JsonViews.JSON.createObjectNode();
        n.put("id", d.id()).put("name", d.name()).put("owner", d.owner().address()).put("createdAt", d.createdAt()).put("cluster", d.cluster());
        try {
            n.put("schema", Schema.decode(d.schema()).spec());
        } catch (RuntimeException e) {
            n.putNull("schema"); // registered with bytes that are not a canonical schema (only possible by hand)
        }
        n.put("schemaHash", d.schemaHash().hex()).put("schemaBytes", Hex.encode(d.schema()));
        n.put("rows", d.rows()).put("size", d.size()).put("batchCount", d.batches().size());
        if (detail) {
            ArrayNode b = n.putArray("batches");
            for (DataMarket.Batch x : d.batches()) {
                b.addObject().put("cid", StorageViews.cid(x.file())).put("rows", x.rows()).put("size", x.size()).put("dataKey", ESCROWED);
            }
        }
        n.put("listed", !d.deleted() && d.listing().isPresent());
        d.listing().ifPresentOrElse(l -> n.set("listing", listing(d, l)), () -> n.putNull("listing"));
        epsilon(n, "epsilonSpent", d.epsilonSpent());
        epsilon(n, "epsilonLeft", d.epsilonLeft());
        d.policy().ifPresentOrElse(p -> {
            ObjectNode o = n.putObject("policy");
            purposes(o, "purposes", p.purposes());
            JsonViews.amount(o, "minPrice", p.minPrice());
        }, () -> n.putNull("policy"));
        ArrayNode grants = n.putArray("grants");
        for (DataMarket.Grant g : d.grants()) {
            ObjectNode o = grants.addObject().put("index", g.index())
                    .put("buyer", g.buyer().equals(DataMarketCall.ANY_BUYER) ? "any" : g.buyer().address());
            purposes(o, "purposes", g.purposes());
            o.put("algorithm", g.algorithm().equals(DataMarketCall.ANY_AGGREGATE) ? "any aggregate" : g.algorithm().hex());
            JsonViews.amount(o, "price", g.price());
            o.put("expiresAt", g.expiresAt()).put("maxUses", g.maxUses()).put("uses", g.uses()).put("revoked", g.revoked())
                    .put("usable", g.usable(head));
        }
        n.put("uses", d.uses());
        JsonViews.amount(n, "earned", d.earned());
        n.put("deleted", d.deleted()).put("deletedAt", d.deletedAt());
        d.receiptWorker().ifPresentOrElse(w -> n.put("receiptWorker", w.hex()), () -> n.putNull("receiptWorker"));
        n.put("receiptPresent", d.receipt().length > 0);
        if (detail && d.receipt().length > 0) {
            n.put("receipt", Hex.encode(d.receipt()));
        }
        return n;
    }

    private static ObjectNode listing(DataMarket.Dataset d, DataMarketCall.Listing l) {
        ObjectNode o = JsonViews.JSON.createObjectNode();
        o.put("description", l.description());
        JsonViews.amount(o, "pricePerUse", l.pricePerUse());
        JsonViews.amount(o, "pricePerRow", l.pricePerRow());
        JsonViews.amount(o, "listPrice", d.listPrice());
        purposes(o, "purposes", l.purposes());
        o.put("k", l.minGroupOwners());
        epsilon(o, "epsilonTotal", l.epsilonTotal());
        epsilon(o, "epsilonCap", l.epsilonCap());
        o.put("maxRowsPerOwner", l.maxRowsPerOwner() == 0 ? DataMarket.DEFAULT_MAX_ROWS_PER_OWNER : l.maxRowsPerOwner());
        byte[] preview = l.preview();
        if (preview.length == 0) {
            o.putNull("preview");
        } else {
            try {
                o.set("preview", preview(DatasetPreview.decode(preview)));
            } catch (RuntimeException e) {
                o.putNull("preview"); // bytes that are not a preview (only possible by hand): shown as hex only
            }
            o.put("previewHex", Hex.encode(preview));
        }
        return o;
    }

    /** A preview's noisy summaries: records, and per numeric column its count of values and clamped mean (null: none). */
    static ObjectNode preview(DatasetPreview p) {
        ObjectNode n = JsonViews.JSON.createObjectNode();
        epsilon(n, "epsilon", p.epsilonMicros());
        n.put("records", p.records());
        ArrayNode cols = n.putArray("columns");
        for (DatasetPreview.ColumnSummary c : p.columns()) {
            ObjectNode o = cols.addObject().put("column", c.column()).put("count", c.count());
            if (c.mean().isPresent()) {
                o.put("mean", c.mean().getAsDouble());
            } else {
                o.putNull("mean");
            }
        }
        return n;
    }

    static ObjectNode jobs(StateReader s, JobFilter filter, int limit) {
        ObjectNode n = JsonViews.JSON.createObjectNode();
        ArrayNode a = n.putArray("jobs");
        boolean more = false;
        for (long id = DataMarket.nextJob(s) - 1; id >= 1; id--) {
            Optional<DataMarket.Job> j = DataMarket.job(s, id);
            if (j.isPresent() && filter.matches(j.get())) {
                if (a.size() == limit) {
                    more = true;
                    break;
                }
                a.add(job(s, j.get(), false));
            }
        }
        n.put("more", more);
        return n;
    }

    /** A job as the audit log shows it; {@code detail} adds the sealed result bytes (only the buyer can open them). */
    static ObjectNode job(StateReader s, DataMarket.Job j, boolean detail) {
        ObjectNode n = JsonViews.JSON.createObjectNode();
        n.put("id", j.id()).put("buyer", j.buyer().address()).put("purpose", j.purposeWord()).put("sql", j.sql())
                .put("sqlHash", j.sqlHash().hex()).put("schemaHash", j.schemaHash().hex());
        epsilon(n, "epsilon", j.epsilon());
        JsonViews.amount(n, "budget", j.budget());
        n.put("submittedAt", j.submittedAt()).put("consentDeadline", j.consentDeadline()).put("resultKey", Hex.encode(j.resultKey()))
                .put("state", stateWord(j.state()));
        ArrayNode ds = n.putArray("datasets");
        Set<AccountId> owners = new LinkedHashSet<>();
        for (DataMarket.JobEntry e : j.entries()) {
            ObjectNode o = ds.addObject().put("dataset", e.dataset()).put("owner", e.owner().address())
                    .put("state", e.state().name().toLowerCase(Locale.ROOT));
            JsonViews.amount(o, "price", e.price());
            o.put("how", e.how()).put("note", e.note());
            if (e.state() == DataMarket.EntryState.USED) {
                owners.add(e.owner());
            }
        }
        n.put("datasetOwners", owners.size());
        j.worker().ifPresentOrElse(w -> {
            n.put("worker", w.hex());
            Registry.worker(s, w).ifPresent(r -> {
                n.put("workerPlatform", r.measurement().platform().word());
                if (!r.measurement().platform().hardwareProtected()) {
                    n.put("warning", Platform.SIM_WARNING);
                }
            });
        }, () -> n.putNull("worker"));
        n.put("startedAt", j.startedAt()).put("endedAt", j.endedAt()).put("owners", j.owners()).put("rows", j.rows());
        if (j.resultHash().equals(Hash.ZERO)) {
            n.putNull("resultHash");
        } else {
            n.put("resultHash", j.resultHash().hex());
        }
        n.put("sealedResultBytes", j.sealedResult().length);
        if (detail) {
            n.put("sealedResult", Hex.encode(j.sealedResult()));
        }
        JsonViews.amount(n, "paid", j.paid());
        JsonViews.amount(n, "refund", j.refund());
        n.put("reason", j.reason());
        return n;
    }

    static ObjectNode earnings(StateReader s, AccountId owner) {
        ObjectNode n = JsonViews.JSON.createObjectNode().put("address", owner.address());
        JsonViews.amount(n, "earned", DataMarket.earnings(s, owner));
        ArrayNode a = n.putArray("datasets");
        for (long id : DataMarket.datasetsOf(s, owner)) {
            DataMarket.dataset(s, id).ifPresent(d -> {
                ObjectNode o = a.addObject().put("id", d.id()).put("name", d.name()).put("uses", d.uses());
                JsonViews.amount(o, "earned", d.earned());
            });
        }
        return n;
    }

    static ObjectNode purposes() {
        ObjectNode n = JsonViews.JSON.createObjectNode();
        ArrayNode a = n.putArray("purposes");
        for (int i = 0; i < DataMarketCall.PURPOSES.size(); i++) {
            a.addObject().put("bit", i).put("mask", 1 << i).put("word", DataMarketCall.PURPOSES.get(i));
        }
        return n;
    }

    /** A job state as the API writes and filters it: {@code awaiting_consent}, {@code running}, {@code done}, … */
    static String stateWord(DataMarket.JobState s) {
        return s.name().toLowerCase(Locale.ROOT);
    }

    /** The job state a filter word names ({@code awaiting_consent}, {@code awaiting-consent} or {@code awaiting consent} alike). */
    static Optional<DataMarket.JobState> parseState(String word) {
        String w = word.strip().toUpperCase(Locale.ROOT).replace('-', '_').replace(' ', '_');
        for (DataMarket.JobState s : DataMarket.JobState.values()) {
            if (s.name().equals(w)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    static void epsilon(ObjectNode n, String field, long micros) {
        n.put(field, new Epsilon(micros).toString());
        n.put(field + "Micros", micros);
    }

    private static void purposes(ObjectNode n, String field, int mask) {
        ArrayNode a = n.putArray(field);
        List<String> words = DataMarketCall.purposes(mask);
        words.forEach(a::add);
    }
}
