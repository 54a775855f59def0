package cloister.proto.envelope;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.common.Hash;
import cloister.crypto.DevKeys;
import cloister.crypto.EcdhKey;
import cloister.crypto.HpkeException;
import cloister.crypto.Sha256;
import cloister.crypto.SigningKey;
import cloister.proto.ContractId;
import cloister.proto.WorkerId;
import java.security.SecureRandom;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The command and query envelopes: what opens, for whom, and what does not. */
class EnvelopeTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Hash GENESIS = Sha256.hash(new byte[] {1});
    private static final ContractId CONTRACT = ContractId.system("secret-notes", 0);
    private static final SigningKey ALICE = DevKeys.get("alice");
    private static final SigningKey BOB = DevKeys.get("bob");
    private final EcdhKey contractKey = EcdhKey.generate(RANDOM);
    private final EcdhKey workerKey = EcdhKey.generate(RANDOM);
    private final SigningKey workerIdentity = SigningKey.generate(RANDOM);
    private final WorkerId worker = WorkerId.of(workerIdentity.account());

    @Test
    void aCommandOpensOnlyForItsContractNetworkAndSender() throws HpkeException {
        byte[] cmd = {1, 2, 3, 4};
        byte[] sealed = CommandEnvelope.seal(contractKey.publicKey(), GENESIS, CONTRACT, ALICE.account(), cmd);
        assertEquals(32 + cmd.length + 16, sealed.length);
        assertArrayEquals(cmd, CommandEnvelope.open(contractKey, GENESIS, CONTRACT, ALICE.account(), sealed));
        assertThrows(HpkeException.class, () -> CommandEnvelope.open(contractKey, GENESIS, CONTRACT, BOB.account(), sealed));
        assertThrows(HpkeException.class, () -> CommandEnvelope.open(contractKey, GENESIS, ContractId.system("secret-notes", 1),
                ALICE.account(), sealed));
        assertThrows(HpkeException.class, () -> CommandEnvelope.open(contractKey, Hash.ZERO, CONTRACT, ALICE.account(), sealed));
        assertThrows(HpkeException.class, () -> CommandEnvelope.open(EcdhKey.generate(RANDOM), GENESIS, CONTRACT, ALICE.account(), sealed));
        for (int i = 0; i < sealed.length; i += 7) {
            byte[] t = sealed.clone();
            t[i] ^= 0x01;
            assertThrows(HpkeException.class, () -> CommandEnvelope.open(contractKey, GENESIS, CONTRACT, ALICE.account(), t));
        }
        assertThrows(HpkeException.class, () -> CommandEnvelope.open(contractKey, GENESIS, CONTRACT, ALICE.account(), new byte[10]));
    }

    private QueryEnvelope.Opened open(byte[] request) {
        return QueryEnvelope.open(GENESIS, worker, workerKey, request, RANDOM).orElseThrow();
    }

    @Test
    void aQueryIsAnsweredEncryptedAndSignedForItsCallerOnly() {
        byte[] q = {9, 8, 7};
        QueryEnvelope.Pending p = QueryEnvelope.seal(GENESIS, worker, workerKey.publicKey(), ALICE, CONTRACT, q, RANDOM);
        QueryEnvelope.Opened o = open(p.request());
        QueryEnvelope.Request r = o.request().orElseThrow();
        assertEquals(ALICE.account(), r.caller());
        assertEquals(CONTRACT, r.contract());
        assertArrayEquals(q, r.query());
        assertTrue(r.verify(GENESIS, worker));
        assertTrue(!r.verify(Hash.ZERO, worker), "bound to the network");
        assertTrue(!r.verify(GENESIS, WorkerId.of(BOB.account())), "bound to the worker");

        byte[] answer = {42, 43};
        byte[] response = o.answer(workerIdentity, answer);
        assertArrayEquals(answer, assertInstanceOf(QueryEnvelope.Result.Answer.class, p.open(response)).answer());
        assertEquals(new QueryEnvelope.Result.Refused("NOT_HOSTED", "not here"), p.open(o.refuse(workerIdentity, "NOT_HOSTED", "not here")));
        // Two answers to the same (replayed) request never share a nonce: the ciphertexts differ.
        assertTrue(!java.util.Arrays.equals(response, o.answer(workerIdentity, answer)));

        // Signed by someone else than the addressed worker.
        assertInstanceOf(QueryEnvelope.Result.Invalid.class, p.open(o.answer(SigningKey.generate(RANDOM), answer)));
        // Any altered byte.
        for (int i = 0; i < response.length; i++) {
            byte[] t = response.clone();
            t[i] ^= 0x10;
            QueryEnvelope.Result res = p.open(t);
            assertTrue(res instanceof QueryEnvelope.Result.Invalid, "byte " + i + ": " + res);
        }
        // An answer to another request does not open with this one's key.
        QueryEnvelope.Pending other = QueryEnvelope.seal(GENESIS, worker, workerKey.publicKey(), ALICE, CONTRACT, q, RANDOM);
        assertInstanceOf(QueryEnvelope.Result.Invalid.class, other.open(response));
        assertEquals(new QueryEnvelope.Result.Unauthenticated("BAD_REQUEST"), p.open(QueryEnvelope.plainRefusal(QueryRefusal.BAD_REQUEST)));
    }

    @Test
    void requestsThatDoNotOpenAreRecognised() {
        QueryEnvelope.Pending p = QueryEnvelope.seal(GENESIS, worker, workerKey.publicKey(), ALICE, CONTRACT, new byte[] {1}, RANDOM);
        byte[] req = p.request();
        for (int i = 0; i < req.length; i += 5) {
            byte[] t = req.clone();
            t[i] ^= 0x04;
            assertEquals(Optional.empty(), QueryEnvelope.open(GENESIS, worker, workerKey, t, RANDOM), "byte " + i);
        }
        assertEquals(Optional.empty(), QueryEnvelope.open(Hash.ZERO, worker, workerKey, req, RANDOM));
        assertEquals(Optional.empty(), QueryEnvelope.open(GENESIS, WorkerId.of(BOB.account()), workerKey, req, RANDOM));
        assertEquals(Optional.empty(), QueryEnvelope.open(GENESIS, worker, workerKey, new byte[0], RANDOM));
    }
}
