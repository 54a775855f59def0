package cloister.chain.runtime;

import cloister.common.Hash;
import cloister.proto.Transaction;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

/**
 * Verifies transaction signatures, remembering the hashes already verified. The hash covers the whole encoding,
 * signature included, so "this hash verified once" implies "these bytes verify": the memo changes speed, never an
 * answer. Without it every pooled transaction would be verified twice (at submission and when its block is
 * applied). Bounded: when full it is cleared, which only costs re-verification.
 */
public final class SignatureVerifier {
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
            if (verified.size() >= capacity) {
                verified.clear();
            }
            verified.put(tx.hash(), Boolean.TRUE);
        }
        return ok;
    }

    /** Verifies all, in parallel over the available cores; result[i] is transaction i's verdict. */
    public boolean[] verifyAll(List<Transaction> txs) {
        boolean[] ok = new boolean[txs.size()];
        IntStream stream = IntStream.range(0, txs.size());
        if (txs.size() > 64) {
            stream = stream.parallel();
        }
        stream.forEach(i -> ok[i] = verify(txs.get(i)));
        return ok;
    }
}
