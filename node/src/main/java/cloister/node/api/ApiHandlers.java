package cloister.node.api;

import cloister.chain.ChainView;
import cloister.chain.SubmitResult;
import cloister.chain.TxSubmitter;
import cloister.common.Hash;
import cloister.common.Hex;
import cloister.crypto.AccountId;
import cloister.chain.runtime.contracts.WasmContracts;
import cloister.chain.runtime.registry.ContractRecord;
import cloister.chain.runtime.registry.Registry;
import cloister.chain.runtime.registry.WorkerRecord;
import cloister.chain.store.StateReader;
import cloister.proto.Block;
import cloister.proto.CanonicalWriter;
import cloister.proto.ContractId;
import cloister.proto.InboundMessage;
import cloister.proto.WorkerId;
import cloister.proto.Event;
import cloister.proto.EventRecord;
import cloister.proto.Transaction;
import cloister.proto.TxRejection;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.javalin.http.sse.SseHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The handlers behind {@link ApiServer}'s route table. */
final class ApiHandlers {
    static final int MAX_BATCH = 5000;
    static final int MAX_SYNC = 2000;
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,19}");
    private static final Pattern HASH_HEX = Pattern.compile("(0x)?[0-9a-fA-F]{64}");

    private final ChainView view;
    private final TxSubmitter submitter;
    private final HeadBroadcaster heads;
    private final String dashboard;
    private final java.util.Optional<String> stagingGateway;

    ApiHandlers(ChainView view, TxSubmitter submitter, HeadBroadcaster heads, java.util.Optional<String> stagingGateway) {
        this.view = view;
        this.submitter = submitter;
        this.heads = heads;
        this.stagingGateway = stagingGateway;
        this.dashboard = resource("dashboard.html");
    }

    List<ApiRoute> routes() {
        List<ApiRoute> r = new ArrayList<>();
        r.add(ApiRoute.get("/", "The dashboard: chain, live head, latest blocks, account lookup (self-contained HTML)",
                ctx -> ctx.contentType("text/html; charset=utf-8").result(dashboard)).producing("text/html"));
        r.add(ApiRoute.get("/health", "Liveness: ok and the head height", this::health));
        r.add(ApiRoute.get("/v1/chain", "Chain facts: name, genesis hash, sealing, block time, minimum fee, authorities, sudo",
                ctx -> json(ctx, JsonViews.chain(view.info()))));
        r.add(ApiRoute.get("/v1/head", "The head block's header",
                ctx -> json(ctx, JsonViews.header(view.head(), txCount(view.head())))));
        r.add(ApiRoute.get("/v1/blocks/{heightOrHash}", "A block by height or hash: header, hash and decoded transactions",
                this::block));
        r.add(ApiRoute.get("/v1/blocks/{height}/events", "The events of the block at a height", this::events));
        r.add(ApiRoute.get("/v1/accounts/{address}", "An account's balance, nonce and next nonce (address or hex key)",
                this::account));
        r.add(ApiRoute.post("/v1/transactions", "Submit one signed transaction: 202 with its hash, or 400 with the rejection word",
                202, "{\"tx\": \"<hex of the encoded transaction>\"}", this::submit));
        r.add(ApiRoute.post("/v1/transactions/batch", "Submit up to " + MAX_BATCH + " signed transactions; one result each, in order",
                200, "{\"txs\": [\"<hex>\", …]}", this::submitBatch));
        r.add(ApiRoute.get("/v1/transactions/{hash}", "A transaction's status: pending, included (with location and outcome) or unknown",
                this::txStatus));
        r.add(ApiRoute.get("/v1/blocks/{height}/worker-messages", "The messages the block at a height addresses to workers (decoded; commands stay ciphertext)",
                this::workerMessages));
        r.add(ApiRoute.get("/v1/sync", "Worker sync: headers and worker messages of up to " + MAX_SYNC + " blocks from ?from=H&count=N, canonical bytes (docs/codec.md)",
                this::sync).producing("application/octet-stream"));
        r.add(ApiRoute.get("/v1/registry", "TEE trust: sim root (if any), measurement allowlist, attestation policy, gatekeepers, master key epochs",
                ctx -> json(ctx, RegistryViews.registry(view.state()))));
        r.add(ApiRoute.get("/v1/workers", "Every registered worker with its platform, measurement, confidence level and roles",
                ctx -> json(ctx, RegistryViews.workers(view.state()))));
        r.add(ApiRoute.get("/v1/workers/{id}", "One registered worker (64-digit hex identity key)", this::worker));
        r.add(ApiRoute.get("/v1/clusters/{id}", "A cluster: its workers and public key", this::cluster));
        r.add(ApiRoute.get("/v1/contracts", "Every deployed confidential contract", ctx -> json(ctx, RegistryViews.contracts(view.state()))));
        r.add(ApiRoute.get("/v1/contracts/{id}", "A contract: kind, cluster and its workers, key epoch, public key", this::contract));
        r.add(ApiRoute.get("/v1/codes/{hash}", "Uploaded WebAssembly code: its size (404 if no code has this hash)", this::code));
        r.add(ApiRoute.get("/v1/gas/{hash}", "A WebAssembly call or instantiation: reserved (limit, price), or settled (gas used, fee, refund, published events)",
                this::gas));
        r.add(ApiRoute.get("/v1/storage", "The storage market: current slot, its length and end, provider and order counts, the node's staging gateway",
                ctx -> json(ctx, StorageViews.summary(view.state(), view.head().height(), stagingGateway))));
        r.add(ApiRoute.get("/v1/storage/providers", "Every storage provider: capacity, bytes assigned, files and bytes in its last work report, liveness",
                ctx -> json(ctx, StorageViews.providers(view.state()))));
        r.add(ApiRoute.get("/v1/storage/files", "Storage orders (?owner=ADDRESS for one owner's), each with its replicas' health",
                this::storageFiles));
        r.add(ApiRoute.get("/v1/storage/files/{cid}", "One storage order by file CID: size, replica target, price, slots, escrow, wrapped key, replicas with health",
                this::storageFile));
        r.addAll(new MarketApi(view).routes());
        r.addAll(new MiningApi(view).routes());
        r.add(ApiRoute.get("/v1/heads", "Server-Sent Events: one `head` event per new block header",
                new SseHandler(heads::add)).producing("text/event-stream"));
        List<ApiRoute> withoutDoc = List.copyOf(r);
        String openApi = OpenApiDocument.generate(withoutDoc, "/openapi.json");
        r.add(ApiRoute.get("/openapi.json", "This OpenAPI 3.1 document, generated from the server's route table",
                ctx -> ctx.contentType("application/json").result(openApi)));
        return List.copyOf(r);
    }

    private void health(Context ctx) {
        json(ctx, JsonViews.JSON.createObjectNode().put("status", "ok").put("height", view.head().height()));
    }

    private void block(Context ctx) {
        String id = ctx.pathParam("heightOrHash");
        Block b;
        if (DIGITS.matcher(id).matches()) {
            long height = parseHeight(id);
            b = view.blockAt(height).orElseThrow(() -> ApiError.notFound("no block at height " + height
                    + " (head is " + view.head().height() + ")"));
        } else if (HASH_HEX.matcher(id).matches()) {
            b = view.block(Hash.fromHex(id)).orElseThrow(() -> ApiError.notFound("no block with hash " + id));
        } else {
            throw ApiError.badRequest("'" + shorten(id) + "' is neither a block height nor a 64-digit hex block hash");
        }
        json(ctx, JsonViews.block(b));
    }

    private void events(Context ctx) {
        String id = ctx.pathParam("height");
        if (!DIGITS.matcher(id).matches()) {
            throw ApiError.badRequest("'" + shorten(id) + "' is not a block height");
        }
        long height = parseHeight(id);
        List<EventRecord> events = view.events(height).orElseThrow(() -> ApiError.notFound("no block at height " + height
                + " (head is " + view.head().height() + ")"));
        json(ctx, JsonViews.events(height, events));
    }

    private long heightParam(Context ctx) {
        String id = ctx.pathParam("height");
        if (!DIGITS.matcher(id).matches()) {
            throw ApiError.badRequest("'" + shorten(id) + "' is not a block height");
        }
        return parseHeight(id);
    }

    private void workerMessages(Context ctx) {
        long height = heightParam(ctx);
        List<InboundMessage> messages = view.workerMessages(height).orElseThrow(() -> ApiError.notFound("no block at height "
                + height + " (head is " + view.head().height() + ")"));
        json(ctx, RegistryViews.inbound(height, messages));
    }

    private void sync(Context ctx) {
        String fromText = ctx.queryParam("from");
        String countText = ctx.queryParam("count");
        if (fromText == null || !DIGITS.matcher(fromText).matches()) {
            throw ApiError.badRequest("?from= must be a block height");
        }
        long from = parseHeight(fromText);
        int count = MAX_SYNC;
        if (countText != null) {
            if (!DIGITS.matcher(countText).matches() || countText.length() > 6 || Integer.parseInt(countText) < 1) {
                throw ApiError.badRequest("?count= must be 1.." + MAX_SYNC);
            }
            count = Math.min(MAX_SYNC, Integer.parseInt(countText));
        }
        long head = view.head().height();
        if (from > head) {
            throw ApiError.notFound("no block at height " + from + " (head is " + head + ")");
        }
        int n = (int) Math.min(count, head - from + 1);
        CanonicalWriter w = new CanonicalWriter(n * 400);
        w.u32(n);
        for (long h = from; h < from + n; h++) {
            final long height = h;
            Block b = view.blockAt(h).orElseThrow(() -> new IllegalStateException("block " + height + " below the head is missing"));
            w.bytes(b.header().encode()).bytes(view.workerMessagesEncoded(h).orElseThrow());
        }
        ctx.contentType("application/octet-stream").result(w.toByteArray());
    }

    private void storageFiles(Context ctx) {
        String owner = ctx.queryParam("owner");
        java.util.Optional<AccountId> who = java.util.Optional.empty();
        if (owner != null) {
            try {
                who = java.util.Optional.of(AccountId.parse(owner));
            } catch (IllegalArgumentException e) {
                throw ApiError.badRequest("'" + shorten(owner) + "' is not an account address");
            }
        }
        json(ctx, StorageViews.orders(view.state(), who));
    }

    private void storageFile(Context ctx) {
        String text = ctx.pathParam("cid");
        Hash file;
        try {
            cloister.storage.cid.Cid cid = cloister.storage.cid.Cid.parse(text);
            if (cid.codec() != cloister.storage.cid.Cid.RAW) {
                throw ApiError.badRequest("files are named by raw-codec CIDs (bafkrei…); " + shorten(text) + " is dag-pb");
            }
            file = Hash.wrap(cid.digest());
        } catch (cloister.storage.cid.CidFormatException e) {
            throw ApiError.badRequest("'" + shorten(text) + "' is not a CID: " + e.getMessage());
        }
        StateReader state = view.state();
        cloister.chain.runtime.storage.StorageMarket.Order o = cloister.chain.runtime.storage.StorageMarket.order(state, file)
                .orElseThrow(() -> ApiError.notFound("no storage order for " + StorageViews.cid(file)));
        json(ctx, StorageViews.order(state, o));
    }

    private void code(Context ctx) {
        String text = ctx.pathParam("hash");
        if (!HASH_HEX.matcher(text).matches()) {
            throw ApiError.badRequest("'" + shorten(text) + "' is not a 64-digit hex code hash");
        }
        Hash h = Hash.fromHex(text.startsWith("0x") ? text.substring(2) : text);
        byte[] code = WasmContracts.code(view.state(), h).orElseThrow(() -> ApiError.notFound("no code " + h.hex() + " is uploaded"));
        json(ctx, JsonViews.JSON.createObjectNode().put("codeHash", h.hex()).put("size", code.length));
    }

    private void gas(Context ctx) {
        String text = ctx.pathParam("hash");
        if (!HASH_HEX.matcher(text).matches()) {
            throw ApiError.badRequest("'" + shorten(text) + "' is not a 64-digit hex transaction hash");
        }
        Hash tx = Hash.fromHex(text.startsWith("0x") ? text.substring(2) : text);
        StateReader state = view.state();
        var n = JsonViews.JSON.createObjectNode().put("txHash", tx.hex());
        var reserved = WasmContracts.reservation(state, tx);
        var settled = WasmContracts.SettledCalls.INSTANCE.get(state, tx);
        if (reserved.isPresent()) {
            n.put("status", "reserved").put("contract", reserved.get().contract().hex()).put("gasLimit", reserved.get().gasLimit())
                    .put("gasPrice", reserved.get().gasPrice());
        } else if (settled.isPresent()) {
            WasmContracts.SettledCalls.Settled st = settled.get();
            n.put("status", "settled").put("contract", st.contract().hex()).put("gasUsed", st.gasUsed()).put("settledAt", st.height());
            var published = n.putArray("events");
            for (EventRecord e : view.events(st.height()).orElse(List.of())) {
                switch (e.event()) {
                    case Event.GasSettled g when g.txHash().equals(tx) -> {
                        n.put("fee", g.fee()).put("refund", g.refund());
                    }
                    case Event.ContractEmitted c when c.txHash().equals(tx) -> {
                        var o = published.addObject().put("index", c.index()).put("public", c.isPublic());
                        o.put(c.isPublic() ? "dataHex" : "sealedHex", java.util.HexFormat.of().formatHex(c.data()));
                    }
                    case Event.ContractTransfersRefused f when f.txHash().equals(tx) -> n.put("transfersRefused", f.message());
                    default -> { }
                }
            }
        } else {
            throw ApiError.notFound("no gas reservation for transaction " + tx.hex() + " (not a WebAssembly call, or not in a block yet)");
        }
        json(ctx, n);
    }

    private void worker(Context ctx) {
        String text = ctx.pathParam("id");
        WorkerId id;
        try {
            id = WorkerId.parse(text);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("'" + shorten(text) + "' is not a worker id (64 hex digits)");
        }
        StateReader state = view.state();
        WorkerRecord w = Registry.worker(state, id).orElseThrow(() -> ApiError.notFound("no registered worker " + id.hex()));
        json(ctx, RegistryViews.worker(state, w));
    }

    private void cluster(Context ctx) {
        String text = ctx.pathParam("id");
        if (!DIGITS.matcher(text).matches() || text.length() > 9) {
            throw ApiError.badRequest("'" + shorten(text) + "' is not a cluster number");
        }
        int id = Integer.parseInt(text);
        json(ctx, RegistryViews.cluster(Registry.cluster(view.state(), id).orElseThrow(() -> ApiError.notFound("no cluster " + id))));
    }

    private void contract(Context ctx) {
        String text = ctx.pathParam("id");
        if (!HASH_HEX.matcher(text).matches()) {
            throw ApiError.badRequest("'" + shorten(text) + "' is not a contract id (64 hex digits)");
        }
        ContractId id = ContractId.parse(text);
        StateReader state = view.state();
        ContractRecord c = Registry.contract(state, id).orElseThrow(() -> ApiError.notFound("no contract " + id.hex()));
        json(ctx, RegistryViews.contract(state, c));
    }

    private void account(Context ctx) {
        String text = ctx.pathParam("address");
        AccountId id;
        try {
            id = AccountId.parse(text);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("'" + shorten(text) + "' is not an account address: " + e.getMessage());
        }
        json(ctx, JsonViews.account(id, view.account(id), view.nextNonce(id)));
    }

    private void txStatus(Context ctx) {
        String text = ctx.pathParam("hash");
        if (!HASH_HEX.matcher(text).matches()) {
            throw ApiError.badRequest("'" + shorten(text) + "' is not a 64-digit hex transaction hash");
        }
        Hash h = Hash.fromHex(text);
        json(ctx, JsonViews.txStatus(h, view.txStatus(h)));
    }

    private void submit(Context ctx) {
        JsonNode body = body(ctx);
        JsonNode tx = body.get("tx");
        if (tx == null || !tx.isTextual()) {
            throw ApiError.badRequest("body must be {\"tx\": \"<hex>\"}");
        }
        byte[] bytes = txBytes(tx.asText());
        switch (submitter.submit(bytes)) {
            case SubmitResult.Accepted a -> {
                ctx.status(202);
                json(ctx, JsonViews.JSON.createObjectNode().put("hash", a.txHash().hex()));
            }
            case SubmitResult.Rejected r -> throw rejection(r.reason(), r.message());
        }
    }

    private void submitBatch(Context ctx) {
        JsonNode body = body(ctx);
        JsonNode txs = body.get("txs");
        if (txs == null || !txs.isArray()) {
            throw ApiError.badRequest("body must be {\"txs\": [\"<hex>\", …]}");
        }
        if (txs.size() > MAX_BATCH) {
            throw ApiError.badRequest("a batch holds at most " + MAX_BATCH + " transactions, got " + txs.size());
        }
        ObjectNode out = JsonViews.JSON.createObjectNode();
        ArrayNode results = out.putArray("results");
        int accepted = 0;
        for (JsonNode item : txs) {
            ObjectNode r;
            try {
                byte[] bytes = item.isTextual() ? txBytes(item.asText()) : null;
                if (bytes == null) {
                    r = JsonViews.error(TxRejection.MALFORMED.code(), "batch items must be hex strings").put("accepted", false);
                } else {
                    r = JsonViews.submitOutcome(submitter.submit(bytes), hashOf(bytes));
                }
            } catch (ApiError e) {
                r = JsonViews.error(e.code, e.getMessage()).put("accepted", false);
            }
            if (r.path("accepted").asBoolean()) {
                accepted++;
            }
            results.add(r);
        }
        out.put("accepted", accepted).put("rejected", txs.size() - accepted);
        json(ctx, out);
    }

    // ---------------------------------------------------------------- helpers

    private static byte[] txBytes(String hex) {
        try {
            return Hex.decode(hex.strip());
        } catch (IllegalArgumentException e) {
            throw rejection(TxRejection.MALFORMED, "transaction is not hex: " + e.getMessage());
        }
    }

    private static Hash hashOf(byte[] bytes) {
        if (bytes.length > Transaction.MAX_BYTES) {
            return null;
        }
        try {
            return Transaction.decode(bytes).hash();
        } catch (RuntimeException e) {
            return null;
        }
    }

    static ApiError rejection(TxRejection reason, String message) {
        return new ApiError(reason == TxRejection.POOL_FULL ? 503 : 400, reason.code(), message);
    }

    private static JsonNode body(Context ctx) {
        try {
            JsonNode n = JsonViews.JSON.readTree(ctx.bodyAsBytes());
            if (n == null || !n.isObject()) {
                throw ApiError.badRequest("body must be a JSON object");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw ApiError.badRequest("body is not valid JSON (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long parseHeight(String digits) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("block height " + digits + " is too large");
        }
    }

    private int txCount(cloister.proto.BlockHeader h) {
        return view.block(h.hash()).map(b -> b.transactions().size()).orElse(0);
    }

    static void json(Context ctx, JsonNode node) {
        ctx.contentType("application/json").result(node.toString());
    }

    static String shorten(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "…";
    }

    private static String resource(String name) {
        try (InputStream in = ApiHandlers.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
