package cloister.proto.envelope;

import cloister.common.Hash;
import cloister.crypto.AccountId;
import cloister.crypto.EcdhKey;
import cloister.crypto.Hpke;
import cloister.crypto.HpkeException;
import cloister.crypto.Sha256;
import cloister.crypto.SigningKey;
import cloister.crypto.X25519PublicKey;
import cloister.proto.CanonicalReader;
import cloister.proto.CanonicalWriter;
import cloister.proto.ContractId;
import cloister.proto.MalformedException;
import cloister.proto.Signature;
import cloister.proto.WorkerId;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * An encrypted, signed query to one worker and its encrypted, signed answer (docs/keys.md has the byte layouts).
 *
 * <p>Request: the caller seals to the worker's registered ECDH key with HPKE base mode, {@code info} = ASCII
 * {@value #INFO_LABEL} ‖ genesis hash ‖ worker id, empty {@code aad}; wire = {@code u8 version = 1 ‖ enc (32) ‖
 * ciphertext}. The plaintext is {@code hash contract ‖ account caller ‖ bytes query ‖ nonce (16) ‖ signature (64)},
 * the signature being the caller's Ed25519 over ASCII {@value #SIGNATURE_LABEL} ‖ genesis ‖ worker id ‖ contract ‖
 * bytes query ‖ nonce: only the caller's key can ask in the caller's name.
 *
 * <p>Response: both sides export a 32-byte AES-256-GCM key from the request's HPKE context (RFC 9180 §5.3,
 * exporter context ASCII {@value #RESPONSE_EXPORT_LABEL}). The worker encrypts the body ({@code u8 0 ‖ bytes
 * answer}, or {@code u8 1 ‖ string code ‖ string message}) under a fresh random 12-byte nonce (a replayed request
 * exports the same key, so the nonce must not come from the key) with SHA-256(request wire) as associated data,
 * and signs ASCII {@value #RESPONSE_SIGNATURE_LABEL} ‖ nonce ‖ ciphertext ‖ SHA-256(request wire) with its identity
 * key; wire = {@code u8 1 ‖ u8 1 ‖ nonce (12) ‖ bytes ciphertext ‖ signature (64)}. A request the worker cannot open
 * gets the plain {@code u8 1 ‖ u8 2 ‖ string code}, with no detail.
 */
public final class QueryEnvelope {
    public static final int VERSION = 1;
    public static final String INFO_LABEL = "cloister/query/v1";
    public static final String SIGNATURE_LABEL = "cloister/query-sig/v1";
    public static final String RESPONSE_EXPORT_LABEL = "cloister/query-response/v1";
    public static final String RESPONSE_SIGNATURE_LABEL = "cloister/query-response-sig/v1";
    public static final int NONCE_LENGTH = 16;
    public static final int MAX_QUERY = 64 * 1024;
    public static final int MAX_ANSWER = 8 * 1024 * 1024;
    private static final int SEALED = 1;
    private static final int PLAIN = 2;
    private static final int KEY_LENGTH = 32;
    private static final int GCM_NONCE_LENGTH = 12;
    private static final int MAX_REFUSAL_TEXT = 1024;

    private QueryEnvelope() {}

    /**
     * The plaintext of a request.
     *
     * @param nonce 16 random bytes: two identical queries give different requests
     */
    public record Request(ContractId contract, AccountId caller, byte[] query, byte[] nonce, Signature signature) {
        public Request {
            if (query.length > MAX_QUERY) {
                throw new IllegalArgumentException("a query is at most " + MAX_QUERY + " bytes");
            }
            if (nonce.length != NONCE_LENGTH) {
                throw new IllegalArgumentException("a query nonce is " + NONCE_LENGTH + " bytes");
            }
            query = query.clone();
            nonce = nonce.clone();
        }

        @Override
        public byte[] query() {
            return query.clone();
        }

        @Override
        public byte[] nonce() {
            return nonce.clone();
        }

        /** A request signed by {@code caller}. */
        public static Request sign(Hash genesisHash, WorkerId worker, SigningKey caller, ContractId contract, byte[] query,
                                   byte[] nonce) {
            byte[] sig = caller.sign(signingPayload(genesisHash, worker, contract, query, nonce));
            return new Request(contract, caller.account(), query, nonce, Signature.of(sig));
        }

        /** Whether the signature is the caller's over this query, addressed to {@code worker} on this network. */
        public boolean verify(Hash genesisHash, WorkerId worker) {
            return caller.verify(signingPayload(genesisHash, worker, contract, query, nonce), signature.bytes());
        }

        static byte[] signingPayload(Hash genesisHash, WorkerId worker, ContractId contract, byte[] query, byte[] nonce) {
            return new CanonicalWriter(160 + query.length).fixed(SIGNATURE_LABEL.getBytes(StandardCharsets.US_ASCII))
                    .hash(genesisHash).fixed(worker.bytes()).hash(contract.hash()).bytes(query).fixed(nonce).toByteArray();
        }

        byte[] encode() {
            return new CanonicalWriter(160 + query.length).hash(contract.hash()).account(caller).bytes(query).fixed(nonce)
                    .fixed(signature.bytes()).toByteArray();
        }

        static Request decode(byte[] bytes) {
            CanonicalReader r = new CanonicalReader(bytes);
            Request q = new Request(new ContractId(r.hash("contract")), r.account("caller"), r.bytes(MAX_QUERY, "query"),
                    r.fixed(NONCE_LENGTH, "nonce"), Signature.of(r.fixed(64, "signature")));
            r.end("query request");
            return q;
        }

        @Override
        public String toString() {
            return "QueryRequest[" + contract + " by " + caller + ", query hidden]";
        }
    }

    /** What the client gets from a response. */
    public sealed interface Result {
        /** The contract's answer, authenticated as the addressed worker's. */
        record Answer(byte[] answer) implements Result {
            @Override
            public String toString() {
                return "Answer[" + answer.length + " bytes]";
            }
        }

        /** A refusal signed by the addressed worker: a {@link QueryRefusal} word or the contract's own, with a message. */
        record Refused(String code, String message) implements Result {}

        /** The worker could not open the request ({@link QueryRefusal#BAD_REQUEST}); unsigned, so only a hint. */
        record Unauthenticated(String code) implements Result {}

        /** The response does not verify: not from the addressed worker, altered, or not a response at all. */
        record Invalid(String why) implements Result {}
    }

    // ---------------------------------------------------------------- client side

    /** A sealed request and what the client keeps to open its answer. */
    public static final class Pending {
        private final byte[] wire;
        private final WorkerId worker;
        private final byte[] responseKey;
        private final byte[] requestHash;

        private Pending(byte[] wire, WorkerId worker, byte[] responseKey) {
            this.wire = wire;
            this.worker = worker;
            this.responseKey = responseKey;
            this.requestHash = Sha256.digest(wire);
        }

        /** The request bytes to POST to the worker. */
        public byte[] request() {
            return wire.clone();
        }

        /** Verifies the worker's signature, then decrypts. Never throws for bad input: see {@link Result.Invalid}. */
        public Result open(byte[] response) {
            try {
                CanonicalReader r = new CanonicalReader(response);
                int version = r.u8("response version");
                if (version != VERSION) {
                    return new Result.Invalid("unsupported response version " + version);
                }
                int kind = r.u8("response kind");
                if (kind == PLAIN) {
                    String code = r.string(64, "code");
                    r.end("response");
                    return new Result.Unauthenticated(code);
                }
                if (kind != SEALED) {
                    return new Result.Invalid("unknown response kind " + kind);
                }
                byte[] nonce = r.fixed(GCM_NONCE_LENGTH, "nonce");
                byte[] ct = r.bytes(MAX_ANSWER + 1024, "ciphertext");
                byte[] sig = r.fixed(64, "signature");
                r.end("response");
                if (!worker.verify(responseSigningPayload(nonce, ct, requestHash), sig)) {
                    return new Result.Invalid("the response is not signed by worker " + worker.hex());
                }
                byte[] body = aes(Cipher.DECRYPT_MODE, responseKey, nonce, requestHash, ct);
                CanonicalReader b = new CanonicalReader(body);
                int status = b.u8("status");
                Result result = switch (status) {
                    case 0 -> new Result.Answer(b.bytes(MAX_ANSWER, "answer"));
                    case 1 -> new Result.Refused(b.string(64, "code"), b.string(MAX_REFUSAL_TEXT, "message"));
                    default -> throw new MalformedException("unknown response status " + status);
                };
                b.end("response body");
                return result;
            } catch (MalformedException e) {
                return new Result.Invalid("malformed response: " + e.getMessage());
            } catch (AEADBadTagException e) {
                return new Result.Invalid("the response does not decrypt with this request's key");
            }
        }

        @Override
        public String toString() {
            return "PendingQuery[to " + worker + ", key hidden]";
        }
    }

    /** Seals a signed query to {@code worker} (client side). */
    public static Pending seal(Hash genesisHash, WorkerId worker, X25519PublicKey workerKey, SigningKey caller,
                               ContractId contract, byte[] query, SecureRandom random) {
        byte[] nonce = new byte[NONCE_LENGTH];
        random.nextBytes(nonce);
        return seal(genesisHash, worker, workerKey, Request.sign(genesisHash, worker, caller, contract, query, nonce));
    }

    /** Seals an already built request (also one signed by someone else than its caller: tests of refusals). */
    public static Pending seal(Hash genesisHash, WorkerId worker, X25519PublicKey workerKey, Request request) {
        Hpke.SealedAndExported s = Hpke.sealAndExport(Hpke.Suite.CLOISTER, workerKey, info(genesisHash, worker), new byte[0],
                request.encode(), RESPONSE_EXPORT_LABEL.getBytes(StandardCharsets.US_ASCII), KEY_LENGTH);
        byte[] sealed = s.sealed().encode();
        byte[] wire = new byte[1 + sealed.length];
        wire[0] = VERSION;
        System.arraycopy(sealed, 0, wire, 1, sealed.length);
        return new Pending(wire, worker, s.exportedSecret());
    }

    // ---------------------------------------------------------------- worker side

    /** A request the worker opened: answer or refuse it through this (it holds the response key). */
    public static final class Opened {
        private final Optional<Request> request;
        private final byte[] responseKey;
        private final byte[] requestHash;
        private final SecureRandom random;

        private Opened(Optional<Request> request, byte[] responseKey, byte[] requestHash, SecureRandom random) {
            this.request = request;
            this.responseKey = responseKey;
            this.requestHash = requestHash;
            this.random = random;
        }

        /** The request, or empty if the plaintext is not one (refuse with {@link QueryRefusal#MALFORMED_QUERY}). */
        public Optional<Request> request() {
            return request;
        }

        /** The encrypted, signed answer. */
        public byte[] answer(SigningKey identity, byte[] answer) {
            if (answer.length > MAX_ANSWER) {
                return refuse(identity, QueryRefusal.INVALID_QUERY.code(), "the answer exceeds " + MAX_ANSWER + " bytes");
            }
            return sealed(identity, new CanonicalWriter(8 + answer.length).u8(0).bytes(answer).toByteArray());
        }

        /** An encrypted, signed refusal. {@code message} must not carry secrets: the caller reads it. */
        public byte[] refuse(SigningKey identity, String code, String message) {
            String m = message.length() > MAX_REFUSAL_TEXT / 4 ? message.substring(0, MAX_REFUSAL_TEXT / 4) : message;
            return sealed(identity, new CanonicalWriter(64).u8(1).string(code).string(m).toByteArray());
        }

        private byte[] sealed(SigningKey identity, byte[] body) {
            byte[] nonce = new byte[GCM_NONCE_LENGTH];
            random.nextBytes(nonce);
            byte[] ct;
            try {
                ct = aes(Cipher.ENCRYPT_MODE, responseKey, nonce, requestHash, body);
            } catch (AEADBadTagException e) {
                throw new IllegalStateException("encryption cannot fail authentication", e);
            }
            byte[] sig = identity.sign(responseSigningPayload(nonce, ct, requestHash));
            return new CanonicalWriter(ct.length + 96).u8(VERSION).u8(SEALED).fixed(nonce).bytes(ct).fixed(sig).toByteArray();
        }

        @Override
        public String toString() {
            return "OpenedQuery[key hidden]";
        }
    }

    /**
     * Opens a request addressed to {@code worker} (worker side). Empty if it does not open: answer with
     * {@link #plainRefusal}.
     *
     * @param random draws the response nonce
     */
    public static Optional<Opened> open(Hash genesisHash, WorkerId worker, EcdhKey workerKey, byte[] wire, SecureRandom random) {
        if (wire.length < 1 || wire[0] != VERSION) {
            return Optional.empty();
        }
        try {
            Hpke.Sealed sealed = Hpke.Sealed.decode(Arrays.copyOfRange(wire, 1, wire.length));
            Hpke.OpenedAndExported o = Hpke.openAndExport(Hpke.Suite.CLOISTER, workerKey, sealed.enc(), info(genesisHash, worker),
                    new byte[0], sealed.ciphertext(), RESPONSE_EXPORT_LABEL.getBytes(StandardCharsets.US_ASCII),
                    KEY_LENGTH);
            Optional<Request> request;
            try {
                request = Optional.of(Request.decode(o.plaintext()));
            } catch (MalformedException | IllegalArgumentException e) {
                request = Optional.empty();
            }
            return Optional.of(new Opened(request, o.exportedSecret(), Sha256.digest(wire), random));
        } catch (HpkeException e) {
            return Optional.empty();
        }
    }

    /** The unsigned answer to a request that could not be opened: only a code, no detail. */
    public static byte[] plainRefusal(QueryRefusal code) {
        return new CanonicalWriter(32).u8(VERSION).u8(PLAIN).string(code.code()).toByteArray();
    }

    static byte[] info(Hash genesisHash, WorkerId worker) {
        return new CanonicalWriter(96).fixed(INFO_LABEL.getBytes(StandardCharsets.US_ASCII)).hash(genesisHash)
                .fixed(worker.bytes()).toByteArray();
    }

    private static byte[] responseSigningPayload(byte[] nonce, byte[] ciphertext, byte[] requestHash) {
        return new CanonicalWriter(80 + ciphertext.length).fixed(RESPONSE_SIGNATURE_LABEL.getBytes(StandardCharsets.US_ASCII))
                .fixed(nonce).fixed(ciphertext).fixed(requestHash).toByteArray();
    }

    /** AES-256-GCM under the exported response key. */
    private static byte[] aes(int mode, byte[] key, byte[] nonce, byte[] aad, byte[] input) throws AEADBadTagException {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
            c.updateAAD(aad);
            return c.doFinal(input);
        } catch (AEADBadTagException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is not available", e);
        }
    }
}
