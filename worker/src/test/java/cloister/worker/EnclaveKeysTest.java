package cloister.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.common.Hash;
import cloister.tee.Evidence;
import cloister.tee.Platform;
import cloister.tee.QuoteVerification;
import cloister.tee.sim.SimQuoteVerifier;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The enclave's own keys: generated inside, sealed, restored, bound to one build, one machine and one network. */
class EnclaveKeysTest {
    private final TestChain chain = new TestChain();

    @Test
    void firstInitGeneratesKeysAndAQuoteThatBindsThem() {
        TestWorker w = new TestWorker().start(chain.genesisHash());
        assertEquals(chain.genesisHash(), w.info.genesisHash());
        assertEquals(Set.of("keys"), w.host.blobs().keySet());
        Evidence e = new Evidence(Platform.SIM, w.initialized.evidence().quote(), w.initialized.evidence().collateral());
        QuoteVerification v = new SimQuoteVerifier(TestWorker.ROOT.certificate(), 60_000, 60_000).verify(e, System.currentTimeMillis());
        QuoteVerification.Verified ok = assertInstanceOf(QuoteVerification.Verified.class, v);
        assertArrayEquals(w.info.reportData(), ok.report().reportData());
        assertEquals(TestWorker.BUILD, ok.report().measurement());
        EnclaveStatus s = w.client.status();
        assertEquals(w.id(), s.identity());
        assertEquals(w.info.ecdhKey(), s.ecdhKey());
        assertEquals(-1, s.syncedHeight());
        assertEquals(Platform.SIM.code(), s.platformCode());
    }

    @Test
    void aRestartedEnclaveHasTheSameIdentity() {
        TestWorker w = new TestWorker().start(chain.genesisHash());
        var first = w.info;
        w.start(chain.genesisHash());
        assertEquals(first.identity(), w.info.identity());
        assertEquals(first.ecdhKey(), w.info.ecdhKey());
        TestWorker other = new TestWorker().start(chain.genesisHash());
        assertNotEquals(first.identity(), other.info.identity());
    }

    @Test
    void anotherBuildCannotUnsealTheKeys() {
        TestWorker w = new TestWorker().start(chain.genesisHash());
        EnclaveException e = assertThrows(EnclaveException.class,
                () -> w.withMeasurement(TestWorker.OTHER_BUILD).start(chain.genesisHash()));
        assertEquals(EnclaveError.SEALED_ELSEWHERE, e.reason());
        assertTrue(e.getMessage().contains("another worker build"), e.getMessage());
    }

    @Test
    void anotherMachineCannotUnsealTheKeys() {
        TestWorker w = new TestWorker().start(chain.genesisHash());
        TestWorker thief = new TestWorker();
        thief.host.blobs().putAll(w.host.blobs());
        assertEquals(EnclaveError.SEALED_ELSEWHERE,
                assertThrows(EnclaveException.class, () -> thief.start(chain.genesisHash())).reason());
    }

    @Test
    void keysOfOneNetworkRefuseAnother() {
        TestWorker w = new TestWorker().start(chain.genesisHash());
        EnclaveClient running = w.client;
        // In the same process, a second init for another network is refused.
        assertEquals(EnclaveError.ALREADY_INITIALIZED,
                assertThrows(EnclaveException.class, () -> running.init(Hash.ZERO, w.info.operator(), "x")).reason());
        // After a restart, the sealed keys refuse another network.
        EnclaveException e = assertThrows(EnclaveException.class, () -> w.start(Hash.ZERO));
        assertEquals(EnclaveError.WRONG_NETWORK, e.reason());
        assertTrue(e.getMessage().contains(chain.genesisHash().shortHex()), e.getMessage());
    }

    @Test
    void callsBeforeInitAndGarbageAreRefusedAsValues() {
        Enclave enclave = EnclaveLoader.inProcess(new TestWorker().platform(), new MemoryHost());
        EnclaveClient client = new EnclaveClient(enclave);
        assertEquals(EnclaveError.NOT_INITIALIZED, assertThrows(EnclaveException.class, client::status).reason());
        EnclaveReply r = EnclaveReply.decode(enclave.call(new byte[] {0x77, 1, 2}));
        assertEquals(EnclaveError.MALFORMED_CALL, assertInstanceOf(EnclaveReply.Failure.class, r).reason());
        assertEquals(EnclaveError.MALFORMED_CALL,
                assertInstanceOf(EnclaveReply.Failure.class, EnclaveReply.decode(enclave.call(new byte[0]))).reason());
    }

    @Test
    void announcementsAreSignedEgressInSequence() {
        TestWorker w = new TestWorker().start(chain.genesisHash());
        cloister.proto.SignedWorkerMessage a = w.client.announce("http://127.0.0.1:8080");
        assertEquals(0, a.seq());
        assertTrue(a.verify(chain.genesisHash()));
        assertEquals(new cloister.proto.WorkerMessage.EndpointAnnounced("http://127.0.0.1:8080"), a.message());
        assertEquals(1, w.client.announce("https://worker.example").seq());
        assertEquals(EnclaveError.MALFORMED_CALL, assertThrows(EnclaveException.class, () -> w.client.announce("ftp://x")).reason());
        assertEquals(2, w.client.outbox().size());
        w.start(chain.genesisHash());
        assertEquals(2, w.client.announce("http://127.0.0.1:8081").seq(), "the sequence number survives a restart");
    }
}
