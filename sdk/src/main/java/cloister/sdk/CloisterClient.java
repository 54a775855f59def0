package cloister.sdk;

import cloister.common.Hash;
import cloister.common.Hex;
import cloister.crypto.AccountId;
import cloister.crypto.SigningKey;
import cloister.crypto.X25519PublicKey;
import cloister.proto.ContractId;
import cloister.proto.WorkerId;
import cloister.proto.BalancesCall;
import cloister.proto.Transaction;
import cloister.proto.TxRejection;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A client of a Cloister node's HTTP JSON API ({@code /v1/…}). Thread-safe. Every failure is a
 * {@link CloisterApiException} carrying the API's {@code code}; a node that does not answer gives
 * {@code NODE_UNREACHABLE}.
 */
public final class CloisterClient {
    /** The default node URL ({@code cloister devnet} listens here). */
    public static final String DEFAULT_URL = "http://127.0.0.1:9933";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final URI base;
    private final HttpClient http;
    private final AtomicReference<Hash> genesis = new AtomicReference<>();

    public CloisterClient(String baseUrl) {
        String url = Objects.requireNonNull(baseUrl, "baseUrl").strip();
        while (url.endsWith("/")) {
            url = url.substring(0, url.length() - 1);
        }
        try {
            this.base = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new CloisterApiException("BAD_REQUEST", "node URL '" + baseUrl + "' is not a valid URL");
        }
        if (base.getScheme() == null || !(base.getScheme().equals("http") || base.getScheme().equals("https"))
                || base.getHost() == null) {
            throw new CloisterApiException("BAD_REQUEST", "node URL '" + baseUrl + "' must look like http://127.0.0.1:9933");
        }
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    public String baseUrl() {
        return base.toString();
    }

    // ---------------------------------------------------------------- reads

    public ChainSummary chainInfo() {
        JsonNode n = get("/v1/chain");
        List<AccountId> authorities = new ArrayList<>();
        for (JsonNode a : n.path("authorities")) {
            authorities.add(AccountId.parse(a.asText()));
        }
        ChainSummary info = new ChainSummary(n.path("chainName").asText(), Hash.fromHex(n.path("genesisHash").asText()),
                n.path("sealing").asText(), n.path("blockTimeMillis").asLong(), Long.parseLong(n.path("minimumFee").asText()),
                authorities, AccountId.parse(n.path("sudo").asText()));
        genesis.compareAndSet(null, info.genesisHash());
        return info;
    }

    /** The genesis hash, fetched once and cached (it never changes for a network). */
    public Hash genesisHash() {
        Hash g = genesis.get();
        return g != null ? g : chainInfo().genesisHash();
    }

    public HeadInfo head() {
        return header(get("/v1/head"));
    }

    public BlockInfo block(long height) {
        return block(get("/v1/blocks/" + height));
    }

    public BlockInfo block(Hash hash) {
        return block(get("/v1/blocks/" + hash.hex()));
    }

    public AccountInfo account(AccountId id) {
        JsonNode n = get("/v1/accounts/" + id.address());
        return new AccountInfo(id, Long.parseLong(n.path("balance").asText()), n.path("nonce").asLong(),
                n.path("nextNonce").asLong());
    }

    public long nextNonce(AccountId id) {
        return account(id).nextNonce();
    }

    public List<EventInfo> events(long height) {
        JsonNode n = get("/v1/blocks/" + height + "/events");
        List<EventInfo> out = new ArrayList<>();
        for (JsonNode e : n.path("events")) {
            JsonNode ti = e.path("txIndex");
            out.add(new EventInfo(ti.isNumber() ? ti.asInt() : -1, e.path("type").asText(), strings(e.path("fields"))));
        }
        return out;
    }

    public TxStatusInfo txStatus(Hash txHash) {
        JsonNode n = get("/v1/transactions/" + txHash.hex());
        String status = n.path("status").asText();
        if (!TxStatusInfo.INCLUDED.equals(status)) {
            return new TxStatusInfo(txHash, status, -1, null, -1, false, null);
        }
        JsonNode reason = n.path("failureReason");
        return new TxStatusInfo(txHash, status, n.path("height").asLong(), Hash.fromHex(n.path("blockHash").asText()),
                n.path("index").asInt(), n.path("success").asBoolean(), reason.isTextual() ? reason.asText() : null);
    }

    // ---------------------------------------------------------------- writes

    /**
     * Submits a signed transaction to the pool.
     *
     * @return its hash
     * @throws CloisterApiException with the rejection word (e.g. {@code STALE_NONCE}) if the node refuses it
     */
    public Hash submit(Transaction tx) {
        ObjectNode body = JSON.createObjectNode().put("tx", Hex.encode(tx.encode()));
        JsonNode n = post("/v1/transactions", body);
        return Hash.fromHex(n.path("hash").asText());
    }

    /** Submits many transactions in one request (at most 5000); one outcome per transaction, in order. */
    public List<SubmitOutcome> submitAll(List<Transaction> txs) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode arr = body.putArray("txs");
        for (Transaction t : txs) {
            arr.add(Hex.encode(t.encode()));
        }
        JsonNode n = post("/v1/transactions/batch", body);
        List<SubmitOutcome> out = new ArrayList<>(txs.size());
        int i = 0;
        for (JsonNode r : n.path("results")) {
            Hash h = r.path("hash").isTextual() ? Hash.fromHex(r.path("hash").asText()) : txs.get(i).hash();
            out.add(r.path("accepted").asBoolean()
                    ? new SubmitOutcome(h, null, null)
                    : new SubmitOutcome(h, r.path("code").asText(), r.path("message").asText()));
            i++;
        }
        return out;
    }

    /**
     * Polls until the transaction is in a block.
     *
     * @throws CloisterApiException {@code TIMEOUT} if it is not included within {@code timeout}
     */
    public TxStatusInfo waitForInclusion(Hash txHash, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long sleep = 20;
        while (true) {
            TxStatusInfo s = txStatus(txHash);
            if (s.included()) {
                return s;
            }
            if (System.nanoTime() > deadline) {
                throw new CloisterApiException("TIMEOUT", "transaction " + txHash.hex() + " is " + s.status()
                        + ", not included after " + timeout.toMillis() + " ms");
            }
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CloisterApiException("INTERRUPTED", "interrupted while waiting for " + txHash.hex());
            }
            sleep = Math.min(sleep * 2, 250);
        }
    }

    /** Signs a transfer with the next nonce and the (cached) genesis hash, and submits it (a nonce clash is signed again). */
    public Hash transfer(SigningKey from, AccountId to, long amount, long fee) {
        return submitSigned(from, fee, new BalancesCall.Transfer(to, amount));
    }

    // ---------------------------------------------------------------- registry

    /** A registered worker; {@code NOT_FOUND} if there is none with this id. */
    public RegisteredWorker worker(WorkerId id) {
        return registeredWorker(get("/v1/workers/" + id.hex()));
    }

    public List<RegisteredWorker> workers() {
        List<RegisteredWorker> out = new ArrayList<>();
        get("/v1/workers").path("workers").forEach(n -> out.add(registeredWorker(n)));
        return out;
    }

    /** A deployed contract; {@code NOT_FOUND} if there is none with this id. */
    public ContractInfo contract(ContractId id) {
        return contractInfo(get("/v1/contracts/" + id.hex()));
    }

    public List<ContractInfo> contracts() {
        List<ContractInfo> out = new ArrayList<>();
        get("/v1/contracts").path("contracts").forEach(n -> out.add(contractInfo(n)));
        return out;
    }

    // ---------------------------------------------------------------- storage

    public StorageInfo storageInfo() {
        JsonNode n = get("/v1/storage");
        return new StorageInfo(n.path("slot").asLong(), n.path("slotStart").asLong(), n.path("slotBlocks").asInt(), n.path("nextSlotAt").asLong(),
                n.path("head").asLong(), n.path("providers").asInt(), n.path("orders").asInt(),
                n.path("stagingGateway").isTextual() ? Optional.of(n.path("stagingGateway").asText()) : Optional.empty());
    }

    public List<StorageProvider> storageProviders() {
        List<StorageProvider> out = new ArrayList<>();
        get("/v1/storage/providers").path("providers").forEach(n -> out.add(new StorageProvider(WorkerId.parse(n.path("id").asText()),
                AccountId.parse(n.path("operator").asText()), n.path("capacity").asLong(), n.path("used").asLong(), n.path("endpoint").asText(),
                n.path("files").asInt(), n.path("reportedBytes").asLong(), n.path("lastReportSlot").asLong(), n.path("active").asBoolean(),
                n.path("computeWorker").asBoolean())));
        return out;
    }

    /** The order for a file (by CID text), or empty if there is none. */
    public Optional<StorageFile> storageFile(String cid) {
        try {
            return Optional.of(storageFile(get("/v1/storage/files/" + URLEncoder.encode(cid, StandardCharsets.UTF_8))));
        } catch (CloisterApiException e) {
            if (e.httpStatus() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Storage orders, all or one owner's. */
    public List<StorageFile> storageFiles(Optional<AccountId> owner) {
        List<StorageFile> out = new ArrayList<>();
        get("/v1/storage/files" + owner.map(o -> "?owner=" + o.address()).orElse("")).path("files").forEach(n -> out.add(storageFile(n)));
        return out;
    }

    private static StorageFile storageFile(JsonNode n) {
        List<StorageFile.Replica> replicas = new ArrayList<>();
        n.path("replicas").forEach(r -> replicas.add(new StorageFile.Replica(WorkerId.parse(r.path("provider").asText()), r.path("status").asText(),
                r.path("assignedSlot").asLong(), r.path("lastVerifiedSlot").asLong(),
                r.path("endpoint").isTextual() ? Optional.of(r.path("endpoint").asText()) : Optional.empty())));
        return new StorageFile(n.path("cid").asText(), Hash.fromHex(n.path("file").asText()), AccountId.parse(n.path("owner").asText()),
                n.path("size").asLong(), n.path("replicaTarget").asInt(), n.path("pricePerReplicaSlot").asLong(), n.path("placedSlot").asLong(),
                n.path("endSlot").asLong(), n.path("escrow").asLong(), java.util.HexFormat.of().parseHex(n.path("wrappedKey").asText()), replicas,
                n.path("healthy").asInt());
    }

    /**
     * Headers and worker messages of up to {@code count} blocks from {@code from}, as the node encodes them for
     * worker sync (u32 n, then per block: bytes header, bytes messages list).
     */
    public byte[] syncBytes(long from, int count) {
        HttpResponse<byte[]> resp = exchange(HttpRequest.newBuilder(uri("/v1/sync?from=" + from + "&count=" + count))
                .timeout(REQUEST_TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        if (resp.statusCode() / 100 != 2) {
            throw error(resp.statusCode(), new String(resp.body(), StandardCharsets.UTF_8));
        }
        return resp.body();
    }

    private static RegisteredWorker registeredWorker(JsonNode n) {
        return new RegisteredWorker(WorkerId.parse(n.path("id").asText()), X25519PublicKey.of(Hex.decode(n.path("ecdhKey").asText())),
                AccountId.parse(n.path("operator").asText()), n.path("runtimeVersion").asText(), n.path("platform").asText(),
                n.path("measurement").asText(), n.path("measurementAllowed").asBoolean(), n.path("confidenceLevel").asInt(),
                n.path("tcbStatus").asText(), n.path("gatekeeper").asBoolean(), n.path("registeredAt").asLong(),
                n.path("endpoint").isTextual() ? Optional.of(n.path("endpoint").asText()) : Optional.empty());
    }

    private static ContractInfo contractInfo(JsonNode n) {
        List<WorkerId> workers = new ArrayList<>();
        n.path("workers").forEach(w -> workers.add(WorkerId.parse(w.asText())));
        return new ContractInfo(ContractId.parse(n.path("id").asText()), n.path("kind").asText(), n.path("cluster").asInt(),
                n.path("keyEpoch").asInt(),
                n.path("publicKey").isTextual() ? Optional.of(X25519PublicKey.of(Hex.decode(n.path("publicKey").asText()))) : Optional.empty(),
                workers, n.path("owner").isTextual() ? Optional.of(AccountId.parse(n.path("owner").asText())) : Optional.empty(),
                n.path("codeHash").isTextual() ? Optional.of(Hash.fromHex(n.path("codeHash").asText())) : Optional.empty());
    }

    /** A cluster's public key (constructor arguments are sealed to it); empty until a gatekeeper published it. */
    public Optional<X25519PublicKey> clusterKey(int cluster) {
        JsonNode n = get("/v1/clusters/" + cluster);
        return n.path("publicKey").isTextual() ? Optional.of(X25519PublicKey.of(Hex.decode(n.path("publicKey").asText()))) : Optional.empty();
    }

    /** Whether WebAssembly code with this hash is uploaded. */
    public boolean codeUploaded(Hash codeHash) {
        try {
            get("/v1/codes/" + codeHash.hex());
            return true;
        } catch (CloisterApiException e) {
            if (e.code().equals("NOT_FOUND")) {
                return false;
            }
            throw e;
        }
    }

    /** The gas of a WebAssembly call: {@code gasUsed} once settled by a worker, empty while only reserved. */
    public Optional<Long> gasUsed(Hash txHash) {
        return callReport(txHash).map(CallReport::gasUsed);
    }

    /**
     * A WebAssembly call as the chain settled it: gas, fee, refund, the events it published (a private event's bytes
     * are sealed to the contract key) and why its transfers were refused, if they were; empty while only reserved.
     */
    public Optional<CallReport> callReport(Hash txHash) {
        JsonNode n = get("/v1/gas/" + txHash.hex());
        if (!n.path("status").asText().equals("settled")) {
            return Optional.empty();
        }
        List<CallReport.PublishedEvent> events = new ArrayList<>();
        for (JsonNode e : n.path("events")) {
            boolean pub = e.path("public").asBoolean();
            events.add(new CallReport.PublishedEvent(e.path("index").asInt(), pub, Hex.decode(e.path(pub ? "dataHex" : "sealedHex").asText())));
        }
        return Optional.of(new CallReport(txHash, n.path("gasUsed").asLong(), n.path("fee").asLong(), n.path("refund").asLong(),
                n.path("settledAt").asLong(), events,
                n.path("transfersRefused").isTextual() ? Optional.of(n.path("transfersRefused").asText()) : Optional.empty()));
    }

    // ---------------------------------------------------------------- W3A data market

    /** Datasets matching {@code q}, in registration order (batch lists left out: see {@link #dataset(long)}). */
    public List<DatasetInfo> datasets(DatasetQuery q) {
        List<DatasetInfo> out = new ArrayList<>();
        get("/v1/market/datasets" + q.queryString()).path("datasets").forEach(n -> out.add(datasetInfo(n)));
        return out;
    }

    /** A dataset with its batches, or empty if there is no dataset with this number. */
    public Optional<DatasetInfo> dataset(long id) {
        return orEmpty(() -> datasetInfo(get("/v1/market/datasets/" + id)));
    }

    /** {@code owner}'s dataset named {@code name} (with its batches), or empty. */
    public Optional<DatasetInfo> dataset(AccountId owner, String name) {
        List<DatasetInfo> found = datasets(DatasetQuery.all().owner(owner).name(name));
        return found.isEmpty() ? Optional.empty() : dataset(found.get(0).id());
    }

    /** Jobs matching {@code q}, newest first (sealed results left out: see {@link #job(long)}). */
    public List<JobInfo> jobs(JobQuery q) {
        List<JobInfo> out = new ArrayList<>();
        get("/v1/market/jobs" + q.queryString()).path("jobs").forEach(n -> out.add(jobInfo(n)));
        return out;
    }

    /** A job with its sealed result, or empty if there is no job with this number. */
    public Optional<JobInfo> job(long id) {
        return orEmpty(() -> jobInfo(get("/v1/market/jobs/" + id)));
    }

    public EarningsInfo earnings(AccountId owner) {
        JsonNode n = get("/v1/market/earnings/" + owner.address());
        List<EarningsInfo.Dataset> ds = new ArrayList<>();
        n.path("datasets").forEach(d -> ds.add(new EarningsInfo.Dataset(d.path("id").asLong(), d.path("name").asText(), d.path("uses").asLong(),
                units(d, "earned"))));
        return new EarningsInfo(owner, units(n, "earned"), ds);
    }

    /** The purpose words jobs state and listings accept, by bit index. */
    public List<String> purposes() {
        List<String> out = new ArrayList<>();
        get("/v1/market/purposes").path("purposes").forEach(p -> out.add(p.path("word").asText()));
        return out;
    }

    private static DatasetInfo datasetInfo(JsonNode n) {
        Hash schemaHash = Hash.fromHex(n.path("schemaHash").asText());
        Optional<cloister.market.data.Schema> schema = Optional.empty();
        try {
            cloister.market.data.Schema decoded = cloister.market.data.Schema.decode(Hex.decode(n.path("schemaBytes").asText()));
            if (decoded.hash().equals(schemaHash)) {
                schema = Optional.of(decoded);
            }
        } catch (RuntimeException e) {
            // not a canonical schema: left empty
        }
        List<DatasetInfo.Batch> batches = new ArrayList<>();
        n.path("batches").forEach(b -> batches.add(new DatasetInfo.Batch(b.path("cid").asText(), b.path("rows").asLong(), b.path("size").asLong())));
        Optional<DatasetInfo.Listing> listing = Optional.empty();
        JsonNode l = n.path("listing");
        if (l.isObject()) {
            listing = Optional.of(new DatasetInfo.Listing(l.path("description").asText(), units(l, "pricePerUse"), units(l, "pricePerRow"),
                    units(l, "listPrice"), texts(l.path("purposes")), l.path("k").asInt(), l.path("epsilonTotalMicros").asLong(),
                    l.path("epsilonCapMicros").asLong(), l.path("maxRowsPerOwner").asInt(), preview(l.path("previewHex"))));
        }
        JsonNode p = n.path("policy");
        Optional<DatasetInfo.Policy> policy = p.isObject() ? Optional.of(new DatasetInfo.Policy(texts(p.path("purposes")), units(p, "minPrice")))
                : Optional.empty();
        List<DatasetInfo.Grant> grants = new ArrayList<>();
        for (JsonNode g : n.path("grants")) {
            String buyer = g.path("buyer").asText();
            String algorithm = g.path("algorithm").asText();
            grants.add(new DatasetInfo.Grant(g.path("index").asInt(), buyer.equals("any") ? Optional.empty() : Optional.of(AccountId.parse(buyer)),
                    texts(g.path("purposes")), algorithm.equals("any aggregate") ? Optional.empty() : Optional.of(Hash.fromHex(algorithm)),
                    units(g, "price"), g.path("expiresAt").asLong(), g.path("maxUses").asInt(), g.path("uses").asInt(), g.path("revoked").asBoolean(),
                    g.path("usable").asBoolean()));
        }
        return new DatasetInfo(n.path("id").asLong(), n.path("name").asText(), AccountId.parse(n.path("owner").asText()), n.path("createdAt").asLong(),
                n.path("cluster").asInt(), schema, schemaHash, n.path("rows").asLong(), n.path("size").asLong(), n.path("batchCount").asInt(), batches,
                listing, n.path("epsilonSpentMicros").asLong(), n.path("epsilonLeftMicros").asLong(), policy, grants, n.path("uses").asLong(),
                units(n, "earned"), n.path("deleted").asBoolean(), n.path("deletedAt").asLong(),
                n.path("receiptWorker").isTextual() ? Optional.of(WorkerId.parse(n.path("receiptWorker").asText())) : Optional.empty(),
                n.path("receiptPresent").asBoolean());
    }

    /** A listing's preview from its hex bytes; empty when there is none or it does not decode. */
    private static Optional<cloister.market.data.DatasetPreview> preview(JsonNode hex) {
        if (!hex.isTextual()) {
            return Optional.empty();
        }
        try {
            return Optional.of(cloister.market.data.DatasetPreview.decode(Hex.decode(hex.asText())));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static JobInfo jobInfo(JsonNode n) {
        List<JobInfo.Entry> entries = new ArrayList<>();
        n.path("datasets").forEach(e -> entries.add(new JobInfo.Entry(e.path("dataset").asLong(), AccountId.parse(e.path("owner").asText()),
                e.path("state").asText(), units(e, "price"), e.path("how").asText(), e.path("note").asText())));
        return new JobInfo(n.path("id").asLong(), AccountId.parse(n.path("buyer").asText()), n.path("purpose").asText(), n.path("sql").asText(),
                Hash.fromHex(n.path("sqlHash").asText()), Hash.fromHex(n.path("schemaHash").asText()), n.path("epsilonMicros").asLong(),
                units(n, "budget"), n.path("submittedAt").asLong(), n.path("consentDeadline").asLong(), n.path("state").asText(), entries,
                n.path("datasetOwners").asInt(),
                n.path("worker").isTextual() ? Optional.of(WorkerId.parse(n.path("worker").asText())) : Optional.empty(),
                n.path("workerPlatform").isTextual() ? Optional.of(n.path("workerPlatform").asText()) : Optional.empty(),
                n.path("startedAt").asLong(), n.path("endedAt").asLong(), n.path("owners").asInt(), n.path("rows").asLong(),
                n.path("resultHash").isTextual() ? Optional.of(Hash.fromHex(n.path("resultHash").asText())) : Optional.empty(),
                n.path("sealedResultBytes").asInt(), n.path("sealedResult").isTextual() ? Hex.decode(n.path("sealedResult").asText()) : new byte[0],
                units(n, "paid"), units(n, "refund"), n.path("reason").asText());
    }

    // ---------------------------------------------------------------- mining

    /** The mining constants and totals. */
    public MiningInfo mining() {
        JsonNode n = get("/v1/mining");
        JsonNode c = n.path("config");
        JsonNode t = n.path("totals");
        return new MiningInfo(n.path("head").asLong(), c.path("blocksPerHour").asInt(), units(c, "minStakePerSqrtP"),
                c.path("cooldownBlocks").asLong(), c.path("challengeWindow").asInt(), c.path("withdrawGraceBlocks").asLong(),
                c.path("treasuryShareMillis").asInt(), units(c, "budgetNow"), units(t, "sumShares"), t.path("computing").asLong(),
                units(t, "issued"), units(t, "paid"), n.path("workers").asInt(), n.path("pools").asLong());
    }

    /** Every registered worker's mining record. */
    public List<MinerInfo> miners() {
        List<MinerInfo> out = new ArrayList<>();
        get("/v1/mining/workers").path("workers").forEach(n -> out.add(minerInfo(n)));
        return out;
    }

    /** A worker's mining record, or empty if no worker has this id. */
    public Optional<MinerInfo> miner(WorkerId id) {
        return orEmpty(() -> minerInfo(get("/v1/mining/workers/" + id.hex())));
    }

    public List<PoolInfo> pools() {
        List<PoolInfo> out = new ArrayList<>();
        get("/v1/pools").path("pools").forEach(n -> out.add(poolInfo(n)));
        return out;
    }

    /** A stake pool, or empty if there is none with this number. */
    public Optional<PoolInfo> pool(long id) {
        return orEmpty(() -> poolInfo(get("/v1/pools/" + id)));
    }

    /** {@code who}'s shares of a pool (zero if none), or empty if there is no such pool. */
    public Optional<DelegationInfo> delegation(long pool, AccountId who) {
        return orEmpty(() -> {
            JsonNode n = get("/v1/pools/" + pool + "/delegators/" + who.address());
            return new DelegationInfo(pool, who, units(n, "shares"), units(n, "queuedShares"), units(n, "withdrawableShares"),
                    units(n, "value"), n.path("sharePrice").asText());
        });
    }

    private static MinerInfo minerInfo(JsonNode n) {
        JsonNode bench = n.path("benchmarkRequested");
        JsonNode ch = n.path("challenge");
        return new MinerInfo(WorkerId.parse(n.path("id").asText()), AccountId.parse(n.path("operator").asText()),
                n.path("confidenceLevel").asInt(), orMinusOne(n, "pool"), n.path("state").asText(), n.path("score").asInt(),
                n.path("instantScore").asInt(), n.path("iterationsPerSecond").asLong(), bench.isObject() ? bench.path("until").asLong() : -1,
                units(n, "v"), units(n, "vInit"), units(n, "stake"), units(n, "minimumStake"), units(n, "share"), units(n, "accrued"),
                units(n, "rewards"), units(n, "storageRewards"), n.path("heartbeats").asLong(), ch.isObject() ? ch.path("issuedAt").asLong() : -1,
                ch.isObject() ? ch.path("deadline").asLong() : -1, orMinusOne(n, "unresponsiveSince"), orMinusOne(n, "coolingUntil"),
                n.path("forcedStop").asBoolean(), orMinusOne(n, "startedAt"));
    }

    private static PoolInfo poolInfo(JsonNode n) {
        List<PoolInfo.Worker> workers = new ArrayList<>();
        n.path("workers").forEach(w -> workers.add(new PoolInfo.Worker(WorkerId.parse(w.path("id").asText()), w.path("state").asText(),
                w.path("score").asInt(), units(w, "stake"), units(w, "v"))));
        List<PoolInfo.Withdrawal> queue = new ArrayList<>();
        n.path("withdrawalQueue").forEach(q -> queue.add(new PoolInfo.Withdrawal(AccountId.parse(q.path("who").asText()), units(q, "shares"),
                units(q, "value"), q.path("queuedAt").asLong(), q.path("forcesStopAt").asLong())));
        return new PoolInfo(n.path("id").asLong(), AccountId.parse(n.path("owner").asText()), AccountId.parse(n.path("account").asText()),
                n.path("commissionPpm").asInt(), units(n, "totalStake"), units(n, "freeStake"), units(n, "lockedStake"), units(n, "totalShares"),
                n.path("sharePrice").asText(), units(n, "rewardsReceived"), workers, queue);
    }

    /** A height or number that the API gives as null when absent, as -1. */
    private static long orMinusOne(JsonNode n, String field) {
        return n.path(field).isNumber() ? n.path(field).asLong() : -1;
    }

    private static long units(JsonNode n, String field) {
        return Long.parseLong(n.path(field).asText("0"));
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(x -> out.add(x.asText()));
        return out;
    }

    /** The value, or empty when the node answers 404. */
    private static <T> Optional<T> orEmpty(java.util.function.Supplier<T> read) {
        try {
            return Optional.of(read.get());
        } catch (CloisterApiException e) {
            if (e.httpStatus() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    // ---------------------------------------------------------------- signed calls

    /** How often {@link #sendAllAndWait} signs a call again after a nonce clash. */
    public static final int NONCE_ATTEMPTS = 10;

    /**
     * Signs {@code call} with {@code key} (next nonce, the chain's minimum fee), submits it and waits for its block.
     *
     * @return the inclusion, with the chain's reason word and message if the call was refused
     * @throws CloisterApiException if the node refuses the transaction itself (e.g. {@code INSUFFICIENT_BALANCE} for
     *     the fee) or it is not included within {@code timeout}
     */
    public IncludedTx sendAndWait(SigningKey key, cloister.proto.Call call, Duration timeout) {
        return sendAllAndWait(key, List.of(call), timeout).get(0);
    }

    /**
     * Signs {@code calls} with consecutive nonces, submits them all, then waits for each block: one round trip per
     * call instead of one block per call. The calls are applied in order; a refused one does not stop the others.
     *
     * <p>The account may be signing elsewhere at the same moment (a worker relaying for its operator, another
     * terminal): a call the pool refuses because its nonce was taken ({@code NONCE_TAKEN}, {@code STALE_NONCE}) was
     * not accepted, so it is signed again with the account's next nonce, up to {@value #NONCE_ATTEMPTS} times.
     */
    public List<IncludedTx> sendAllAndWait(SigningKey key, List<? extends cloister.proto.Call> calls, Duration timeout) {
        Hash genesisHash = genesisHash();
        long fee = chainInfo().minimumFee();
        long nonce = nextNonce(key.account());
        List<Hash> hashes = new ArrayList<>(calls.size());
        for (cloister.proto.Call call : calls) {
            Transaction tx = submitSigned(genesisHash, key, fee, call, nonce);
            hashes.add(tx.hash());
            nonce = tx.nonce() + 1;
        }
        List<IncludedTx> out = new ArrayList<>(calls.size());
        for (Hash h : hashes) {
            TxStatusInfo s = waitForInclusion(h, timeout);
            if (s.success()) {
                out.add(new IncludedTx(h, s, Optional.empty(), ""));
            } else {
                String why = events(s.height()).stream().filter(e -> e.type().equals("TxFailed") && h.hex().equals(e.fields().get("txHash")))
                        .map(e -> e.fields().getOrDefault("message", "")).findFirst().orElse("");
                out.add(new IncludedTx(h, s, Optional.of(s.failureReason() != null ? s.failureReason() : "FAILED"), why));
            }
        }
        return out;
    }

    /**
     * Signs {@code call} with {@code key}'s next nonce and {@code fee}, and submits it; a nonce clash is signed again
     * as {@link #sendAllAndWait} does. Does not wait for a block.
     *
     * @return its hash
     * @throws CloisterApiException with the rejection word if the node refuses it for another reason
     */
    public Hash submitSigned(SigningKey key, long fee, cloister.proto.Call call) {
        return submitSigned(genesisHash(), key, fee, call, nextNonce(key.account())).hash();
    }

    /** Submits {@code call} signed with {@code nonce}, and after a nonce clash with the account's next nonce; the accepted transaction. */
    private Transaction submitSigned(Hash genesisHash, SigningKey key, long fee, cloister.proto.Call call, long nonce) {
        for (int attempt = 1; ; attempt++) {
            Transaction tx = Transaction.sign(genesisHash, key, nonce, fee, call);
            try {
                submit(tx);
                return tx;
            } catch (CloisterApiException e) {
                boolean clash = e.code().equals(TxRejection.NONCE_TAKEN.code()) || e.code().equals(TxRejection.STALE_NONCE.code());
                if (!clash || attempt == NONCE_ATTEMPTS) {
                    throw e;
                }
                nonce = nextNonce(key.account());
            }
        }
    }

    // ---------------------------------------------------------------- head subscription

    /**
     * Streams new heads from {@code GET /v1/heads} (Server-Sent Events) to {@code listener}, on a background thread,
     * until the returned handle is closed. Returns once the node has added the subscription: every head it produces
     * after that is delivered (a head in between may be too, on the calling thread).
     */
    public AutoCloseable subscribeHeads(Consumer<HeadInfo> listener) {
        HttpRequest req = HttpRequest.newBuilder(uri("/v1/heads")).header("Accept", "text/event-stream").GET().build();
        HttpResponse<InputStream> resp;
        try {
            resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CloisterApiException("INTERRUPTED", "interrupted while connecting to " + base);
        }
        if (resp.statusCode() != 200) {
            try (InputStream in = resp.body()) {
                throw error(resp.statusCode(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw unreachable(e);
            }
        }
        InputStream body = resp.body();
        BufferedReader r = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
        StringBuilder data = new StringBuilder();
        // The response's headers can arrive before the node has added this subscriber (the server flushes them before
        // it runs the handler that adds it), and a head in between would be missed. The node sends a comment line once
        // it has added it: until then, read here, so that every head after this method returns is delivered.
        boolean subscribed = false;
        try {
            String line;
            while ((line = r.readLine()) != null && !line.startsWith(":")) {
                headLine(line, data, listener);
            }
            if (line == null) {
                throw new CloisterApiException("NODE_UNREACHABLE", "the node at " + base + " closed the head stream at once");
            }
            subscribed = true;
        } catch (IOException e) {
            throw unreachable(e);
        } finally {
            if (!subscribed) {
                try {
                    body.close();
                } catch (IOException e) {
                    // the stream is given up either way
                }
            }
        }
        Thread reader = Thread.ofPlatform().daemon().name("cloister-heads").start(() -> {
            try (r) {
                String line;
                while ((line = r.readLine()) != null) {
                    headLine(line, data, listener);
                }
            } catch (IOException e) {
                // closed by the caller or by the node: the subscription ends
            }
        });
        return () -> {
            try {
                body.close();
            } finally {
                reader.interrupt();
            }
        };
    }

    /** One line of a Server-Sent Events stream of heads: {@code data:} lines gather, an empty line delivers them. */
    private static void headLine(String line, StringBuilder data, Consumer<HeadInfo> listener) throws IOException {
        if (line.isEmpty()) {
            if (!data.isEmpty()) {
                listener.accept(header(JSON.readTree(data.toString())));
                data.setLength(0);
            }
        } else if (line.startsWith("data:")) {
            data.append(line.substring(5).stripLeading());
        }
    }

    // ---------------------------------------------------------------- plumbing

    private URI uri(String path) {
        return URI.create(base + path);
    }

    private JsonNode get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).timeout(REQUEST_TIMEOUT).GET().build());
    }

    private JsonNode post(String path, JsonNode body) {
        try {
            return send(HttpRequest.newBuilder(uri(path)).timeout(REQUEST_TIMEOUT)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
    }

    /** One HTTP exchange with the node; transport failures become {@link CloisterApiException}s. */
    private <T> HttpResponse<T> exchange(HttpRequest req, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(req, handler);
        } catch (HttpTimeoutException e) {
            throw new CloisterApiException("TIMEOUT", "the node at " + base + " did not answer in time");
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CloisterApiException("INTERRUPTED", "interrupted while talking to " + base);
        }
    }

    private JsonNode send(HttpRequest req) {
        HttpResponse<String> resp = exchange(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (resp.statusCode() / 100 != 2) {
            throw error(resp.statusCode(), resp.body());
        }
        try {
            return JSON.readTree(resp.body());
        } catch (JsonProcessingException e) {
            throw new CloisterApiException("BAD_RESPONSE", "the node at " + base + " answered with invalid JSON");
        }
    }

    private CloisterApiException unreachable(IOException e) {
        String why = e instanceof ConnectException ? "connection refused" : e.getClass().getSimpleName();
        return new CloisterApiException("NODE_UNREACHABLE", "no Cloister node at " + base + " (" + why
                + "); start one with `./cloister devnet` or pass --node URL");
    }

    private static CloisterApiException error(int status, String body) {
        try {
            JsonNode n = JSON.readTree(body);
            if (n != null && n.path("code").isTextual()) {
                return new CloisterApiException(n.path("code").asText(), n.path("message").asText(), status);
            }
        } catch (JsonProcessingException e) {
            // not our JSON error: fall through
        }
        return new CloisterApiException("HTTP_" + status, "the node answered HTTP " + status, status);
    }

    private static HeadInfo header(JsonNode n) {
        return new HeadInfo(n.path("height").asLong(), Hash.fromHex(n.path("hash").asText()),
                Hash.fromHex(n.path("parentHash").asText()), n.path("timestamp").asLong(),
                Hash.fromHex(n.path("transactionsRoot").asText()), Hash.fromHex(n.path("stateRoot").asText()),
                AccountId.parse(n.path("proposer").asText()), n.path("txCount").asInt());
    }

    private static BlockInfo block(JsonNode n) {
        List<TxInfo> txs = new ArrayList<>();
        for (JsonNode t : n.path("transactions")) {
            txs.add(new TxInfo(Hash.fromHex(t.path("hash").asText()), AccountId.parse(t.path("sender").asText()),
                    t.path("nonce").asLong(), Long.parseLong(t.path("fee").asText()), t.path("call").asText(),
                    strings(t.path("args"))));
        }
        return new BlockInfo(header(n), txs);
    }

    private static Map<String, String> strings(JsonNode obj) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : obj.properties()) {
            out.put(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText());
        }
        return out;
    }
}
