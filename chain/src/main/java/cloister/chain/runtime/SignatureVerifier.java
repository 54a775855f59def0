package cloister.chain.runtime;

import cloister.common.Hash;
import cloister.crypto.Sha256;
import cloister.proto.RegistryCall;
import cloister.proto.SignedWorkerMessage;
import cloister.proto.Transaction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

/**
 * Verifies transaction signatures and the worker signatures of the messages they relay, remembering what already
 * verified. A transaction's hash covers its whole encoding, signature and genesis included; a relayed worker
 * message is remembered by the hash of the genesis it is checked against and its whole encoding, signature
 * included. So "this hash verified once" implies "these bytes verify": the memo changes speed, never an answer.
 * Without it every pooled transaction would be verified at submission, again when its block is proposed and again
 * when it is imported. Only successes are remembered (a bad signature is checked again each time: no answer depends
 * on the memo). Bounded: when full it is cleared, which only costs re-verification.
 */
public final class SignatureVerifier {
    private static final byte[] WORKER_MESSAGE_TAG = "cloister/verified-worker-msg/v1".getBytes(StandardCharsets.US_ASCII);
    /** Below this many transactions a batch is verified on the calling thread (the fork costs more than it saves). */
    private static final int PARALLEL_FROM = 8;

    private final int capacity;
    private final ConcurrentHashMap<Hash, Boolean> verified = new ConcurrentHashMap<>();

    public SignatureVerifier(int capacity) {
        this.capacity = capacity;
    }

    public boolean verify(Transaction tx) {
        if (verified.containsKey(tx.hash())) {
            return true;
        }
        boolean ok = tx.verifySignature();
        if (ok) {
            remember(tx.hash());
        }
        return ok;
    }

    /** Whether {@code m} is signed by its worker for the network whose genesis is {@code genesisHash}. */
    public boolean verify(SignedWorkerMessage m, Hash genesisHash) {
        Hash key = Sha256.hash(WORKER_MESSAGE_TAG, genesisHash.bytes(), m.encode());
        if (verified.containsKey(key)) {
            return true;
        }
        boolean ok = m.verify(genesisHash);
        if (ok) {
            remember(key);
        }
        return ok;
    }

    /**
     * Verifies a transaction's signature and, when it relays a worker message, that message's signature too (so the
     * registry finds it remembered). Returns the transaction's verdict only: a relayed message that does not verify
     * is the registry's to refuse, with its own error, when the transaction is applied.
     */
    public boolean verifyWithContent(Transaction tx) {
        boolean ok = verify(tx);
        if (ok && tx.call() instanceof RegistryCall.SubmitWorkerMessage relayed) {
            verify(relayed.message(), tx.genesisHash());
        }
        return ok;
    }

    /**
     * {@link #verifyWithContent} for each, in parallel over the available cores; result[i] is transaction i's
     * verdict.
     */
    public boolean[] verifyAll(List<Transaction> txs) {
        boolean[] ok = new boolean[txs.size()];
        IntStream stream = IntStream.range(0, txs.size());
        if (txs.size() >= PARALLEL_FROM) {
            stream = stream.parallel();
        }
        stream.forEach(i -> ok[i] = verifyWithContent(txs.get(i)));
        return ok;
    }

    private void remember(Hash key) {
        if (verified.size() >= capacity) {
            verified.clear();
        }
        verified.put(key, Boolean.TRUE);
    }
}
