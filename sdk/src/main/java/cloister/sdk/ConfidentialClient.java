package cloister.sdk;

import cloister.common.Hash;
import cloister.crypto.SigningKey;
import cloister.proto.ContractId;
import cloister.proto.ContractsCall;
import cloister.proto.WorkerId;
import cloister.proto.envelope.CommandEnvelope;
import cloister.proto.envelope.QueryEnvelope;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Confidential contracts from the client's side: commands encrypted to the contract's public key and sent on chain,
 * queries encrypted to one worker of the contract's cluster and answered encrypted and signed.
 *
 * <p>Before a query is sent, the worker is checked against the chain: registered, a member of the contract's
 * cluster, with a measurement still on the allowlist. The answer is trusted only if it verifies under that worker's
 * registered identity key ({@link QueryEnvelope.Pending#open}). A {@code sim} worker passes these checks but has no
 * hardware protection: {@link QueryAnswer#simulated()} says so.
 */
public final class ConfidentialClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(10);

    private final CloisterClient node;
    private final HttpClient http;
    private final SecureRandom random;

    /** How long a check of a contract's workers against the chain is reused (see {@link #trustedWorkers}). */
    public static final Duration DEFAULT_REGISTRY_TTL = Duration.ofSeconds(2);

    private final Duration registryTtl;
    private final java.util.concurrent.ConcurrentHashMap<ContractId, Checked> checked = new java.util.concurrent.ConcurrentHashMap<>();

    private record Checked(List<RegisteredWorker> workers, long atNanos) {}

    public ConfidentialClient(CloisterClient node) {
        this(node, DEFAULT_REGISTRY_TTL);
    }

    /**
     * @param registryTtl how long the chain's answer on a contract's workers (registered, in the cluster, allowed
     *                    measurement) is reused before it is asked again; {@link Duration#ZERO} asks on every query
     */
    public ConfidentialClient(CloisterClient node, Duration registryTtl) {
        this.node = node;
        this.registryTtl = registryTtl;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        this.random = new SecureRandom();
    }

    public CloisterClient node() {
        return node;
    }

    /** An answer and the worker that signed it. */
    public record QueryAnswer(byte[] answer, WorkerId worker, boolean simulated) {}

    /** A command's outcome as a worker of the contract's cluster reports it; {@code gasUsed} is 0 for a system contract. */
    public record CommandResult(Hash txHash, boolean ok, long height, String code, String message, WorkerId reportedBy, long gasUsed) {}

    /**
     * Encrypts {@code command} to the contract's public key (bound to this network, the contract and the sender) and
     * submits it as a {@code contracts.pushCommand} transaction (a nonce clash is signed again, see
     * {@link CloisterClient#submitSigned}).
     *
     * @return the transaction hash
     */
    public Hash command(SigningKey sender, ContractId contract, byte[] command, long fee) {
        ContractInfo c = node.contract(contract);
        var key = c.publicKey().orElseThrow(() -> new CloisterApiException("CONTRACT_NOT_READY",
                "contract " + contract.hex() + " has no public key yet: its gatekeeper has not published it"));
        byte[] sealed = CommandEnvelope.seal(key, node.genesisHash(), contract, sender.account(), command);
        return node.submitSigned(sender, fee, new ContractsCall.PushCommand(contract, sealed));
    }

    /**
     * Calls a WebAssembly contract: the input is sealed to the contract's key as a command, and up to
     * {@code gasLimit × gasPrice} is reserved from the sender until a worker reports the gas used.
     */
    public Hash callWasm(SigningKey sender, ContractId contract, byte[] input, long gasLimit, long gasPrice, long fee) {
        ContractInfo c = node.contract(contract);
        var key = c.publicKey().orElseThrow(() -> new CloisterApiException("CONTRACT_NOT_READY",
                "contract " + contract.hex() + " has no public key yet: its gatekeeper has not published it"));
        byte[] sealed = CommandEnvelope.seal(key, node.genesisHash(), contract, sender.account(), input);
        return node.submitSigned(sender, fee, new ContractsCall.CallContract(contract, sealed, gasLimit, gasPrice));
    }

    /**
     * Waits until a worker of the contract's cluster has executed the command of {@code txHash} and returns its
     * outcome (ok, or the contract's refusal: e.g. a ciphertext that does not open).
     */
    public CommandResult commandOutcome(ContractId contract, Hash txHash, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        CloisterApiException last = null;
        while (System.nanoTime() < deadline) {
            for (RegisteredWorker w : trustedWorkers(contract)) {
                try {
                    JsonNode n = getJson(w.endpoint().orElseThrow() + "/v1/commands/" + txHash.hex());
                    if (n.has("ok")) {
                        return new CommandResult(txHash, n.path("ok").asBoolean(), n.path("height").asLong(),
                                n.path("code").asText(""), n.path("message").asText(""), w.id(), n.path("gasUsed").asLong());
                    }
                    // {code: UNKNOWN_COMMAND}: not executed there yet
                } catch (CloisterApiException e) {
                    last = e;
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CloisterApiException("INTERRUPTED", "interrupted while waiting for the command's outcome");
            }
        }
        throw new CloisterApiException("TIMEOUT", "no worker reported the outcome of " + txHash.hex() + " within "
                + timeout.toSeconds() + " s" + (last == null ? "" : " (last error: " + last.getMessage() + ")"));
    }

    /**
     * Sends an encrypted, signed query to a trusted worker of the contract's cluster and returns its verified answer.
     *
     * @throws CloisterApiException with the worker's refusal word (e.g. {@code BAD_QUERY_SIGNATURE},
     *     {@code NOT_HOSTED}), {@code NO_WORKER} if no trusted worker is reachable, {@code INVALID_RESPONSE} if the
     *     answer does not verify
     */
    public QueryAnswer query(SigningKey caller, ContractId contract, byte[] query) {
        List<RegisteredWorker> workers = trustedWorkers(contract);
        if (workers.isEmpty()) {
            throw new CloisterApiException("NO_WORKER", "no registered worker with an allowed measurement and an endpoint runs contract "
                    + contract.hex());
        }
        CloisterApiException last = null;
        for (RegisteredWorker w : workers) {
            try {
                return query(w, caller, contract, query);
            } catch (CloisterApiException e) {
                if (!e.code().equals("WORKER_UNREACHABLE")) {
                    throw e;
                }
                last = e;
            }
        }
        throw last;
    }

    /** Queries one given worker (after the same trust checks). */
    public QueryAnswer query(RegisteredWorker w, SigningKey caller, ContractId contract, byte[] query) {
        QueryEnvelope.Pending pending = QueryEnvelope.seal(node.genesisHash(), w.id(), w.ecdhKey(), caller, contract, query, random);
        byte[] response = post(w.endpoint().orElseThrow(() -> new CloisterApiException("NO_WORKER",
                "worker " + w.id().hex() + " announced no endpoint")) + "/v1/query", pending.request());
        return switch (pending.open(response)) {
            case QueryEnvelope.Result.Answer a -> new QueryAnswer(a.answer(), w.id(), w.simulated());
            case QueryEnvelope.Result.Refused r -> throw new CloisterApiException(r.code(), r.message());
            case QueryEnvelope.Result.Unauthenticated u -> throw new CloisterApiException(u.code(),
                    "the worker could not open the request (unsigned answer)");
            case QueryEnvelope.Result.Invalid i -> throw new CloisterApiException("INVALID_RESPONSE", i.why());
        };
    }

    /**
     * The contract's workers that the chain vouches for: registered, in its cluster, allowed measurement, endpoint.
     * The answer is reused for the registry TTL (2 s by default): a measurement removed from the allowlist stops being
     * trusted at most that long after this client last asked.
     */
    public List<RegisteredWorker> trustedWorkers(ContractId contract) {
        long now = System.nanoTime();
        Checked c = checked.get(contract);
        if (c != null && now - c.atNanos() < registryTtl.toNanos()) {
            return c.workers();
        }
        List<RegisteredWorker> fresh = checkWorkers(contract);
        checked.put(contract, new Checked(fresh, now));
        return fresh;
    }

    private List<RegisteredWorker> checkWorkers(ContractId contract) {
        ContractInfo c = node.contract(contract);
        List<RegisteredWorker> out = new ArrayList<>();
        for (WorkerId id : c.workers()) {
            RegisteredWorker w;
            try {
                w = node.worker(id);
            } catch (CloisterApiException e) {
                continue;
            }
            if (w.measurementAllowed() && w.endpoint().isPresent()) {
                out.add(w);
            }
        }
        return out;
    }

    private JsonNode getJson(String url) {
        HttpResponse<byte[]> resp = send(HttpRequest.newBuilder(URI.create(url)).timeout(QUERY_TIMEOUT).GET().build(), url);
        try {
            return JSON.readTree(resp.body());
        } catch (IOException e) {
            throw new CloisterApiException("INVALID_RESPONSE", "the worker at " + url + " answered with invalid JSON");
        }
    }

    private byte[] post(String url, byte[] body) {
        return send(HttpRequest.newBuilder(URI.create(url)).timeout(QUERY_TIMEOUT)
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), url).body();
    }

    private HttpResponse<byte[]> send(HttpRequest req, String url) {
        try {
            return http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            throw new CloisterApiException("WORKER_UNREACHABLE", "the worker at " + url + " did not answer in time");
        } catch (IOException e) {
            throw new CloisterApiException("WORKER_UNREACHABLE", "no worker at " + url + " ("
                    + (e instanceof ConnectException ? "connection refused" : e.getClass().getSimpleName()) + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CloisterApiException("INTERRUPTED", "interrupted while talking to " + url);
        }
    }
}
