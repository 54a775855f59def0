package cloister.chain.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.common.Hash;
import cloister.crypto.DevKeys;
import cloister.crypto.Sha256;
import cloister.crypto.SigningKey;
import cloister.proto.BalancesCall;
import cloister.proto.RegistryCall;
import cloister.proto.Signature;
import cloister.proto.SignedWorkerMessage;
import cloister.proto.Transaction;
import cloister.proto.WorkerId;
import cloister.proto.WorkerMessage;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The memo changes how often signatures are checked, never a verdict. */
class SignatureVerifierTest {
    private static final Hash GENESIS = Sha256.hash("test genesis".getBytes(StandardCharsets.US_ASCII));
    private static final Hash OTHER_GENESIS = Sha256.hash("another network".getBytes(StandardCharsets.US_ASCII));
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SigningKey worker = SigningKey.generate(RANDOM);
    private final SigningKey stranger = SigningKey.generate(RANDOM);
    private final WorkerMessage heartbeat = new WorkerMessage.Heartbeat(42, 1000, 20, 3);

    @Test
    void aWorkerMessageVerdictNeverDependsOnWhatWasRemembered() {
        SignatureVerifier v = new SignatureVerifier(16);
        SignedWorkerMessage good = SignedWorkerMessage.sign(worker, GENESIS, 7, heartbeat);
        assertTrue(v.verify(good, GENESIS));
        assertTrue(v.verify(good, GENESIS), "remembered");
        // The same bytes checked against another network, a changed field, another signer: still refused.
        assertFalse(v.verify(good, OTHER_GENESIS));
        assertFalse(v.verify(new SignedWorkerMessage(good.worker(), 8, heartbeat, good.signature()), GENESIS));
        assertFalse(v.verify(new SignedWorkerMessage(good.worker(), 7, new WorkerMessage.Heartbeat(42, 1001, 20, 3), good.signature()),
                GENESIS));
        SignedWorkerMessage forged = new SignedWorkerMessage(good.worker(), 7, heartbeat,
                SignedWorkerMessage.sign(stranger, GENESIS, 7, heartbeat).signature());
        assertFalse(v.verify(forged, GENESIS));
        assertFalse(v.verify(forged, GENESIS), "failures are not remembered as successes");
        byte[] flipped = good.signature().bytes().clone();
        flipped[5] ^= 1;
        assertFalse(v.verify(new SignedWorkerMessage(good.worker(), 7, heartbeat, Signature.of(flipped)), GENESIS));
    }

    @Test
    void batchesGiveTheTransactionsVerdictsInOrderWhetherOrNotTheyRelayAGoodMessage() {
        SignatureVerifier v = new SignatureVerifier(4); // small: the memo is cleared several times on the way
        SigningKey operator = DevKeys.get("bob");
        List<Transaction> txs = new ArrayList<>();
        List<Boolean> expected = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            SignedWorkerMessage m = SignedWorkerMessage.sign(i % 3 == 0 ? stranger : worker, GENESIS, i, heartbeat);
            if (i % 3 == 0) { // signed by the wrong key: the transaction is fine, the relayed message is not
                m = new SignedWorkerMessage(WorkerId.of(worker.account()), i, heartbeat, m.signature());
            }
            Transaction tx = Transaction.sign(GENESIS, operator, i, 1, new RegistryCall.SubmitWorkerMessage(m));
            if (i % 4 == 1) { // a transaction whose own signature is broken
                byte[] sig = tx.signature().bytes().clone();
                sig[0] ^= 1;
                tx = tx.withSignature(Signature.of(sig));
            }
            txs.add(tx);
            expected.add(i % 4 != 1);
        }
        txs.add(Transaction.sign(GENESIS, operator, 99, 1, new BalancesCall.Transfer(DevKeys.get("alice").account(), 5)));
        expected.add(true);
        boolean[] want = new boolean[expected.size()];
        for (int i = 0; i < want.length; i++) {
            want[i] = expected.get(i);
        }
        assertArrayEquals(want, v.verifyAll(txs));
        assertArrayEquals(want, v.verifyAll(txs), "again, partly remembered");
        for (int i = 0; i < 24; i++) {
            SignedWorkerMessage relayed = ((RegistryCall.SubmitWorkerMessage) txs.get(i).call()).message();
            assertTrue(v.verify(relayed, GENESIS) == (i % 3 != 0), "message " + i);
        }
    }
}
