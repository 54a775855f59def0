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

    /** Signs a transfer with the next nonce and the (cached) genesis hash, and submits it. */
    public Hash transfer(SigningKey from, AccountId to, long amount, long fee) {
        Transaction tx = Transaction.sign(genesisHash(), from, nextNonce(from.account()), fee,
                new BalancesCall.Transfer(to, amount));
        return submit(tx);
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

    // ---------------------------------------------------------------- head subscription

    /**
     * Streams new heads from {@code GET /v1/heads} (Server-Sent Events) to {@code listener}, on a background thread,
     * until the returned handle is closed.
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
        Thread reader = Thread.ofPlatform().daemon().name("cloister-heads").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                StringBuilder data = new StringBuilder();
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.isEmpty()) {
                        if (!data.isEmpty()) {
                            listener.accept(header(JSON.readTree(data.toString())));
                            data.setLength(0);
                        }
                    } else if (line.startsWith("data:")) {
                        data.append(line.substring(5).stripLeading());
                    }
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
