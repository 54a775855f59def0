package cloister.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.proto.ContractId;
import cloister.proto.InboundMessage;
import cloister.proto.KeyShare;
import cloister.proto.SignedWorkerMessage;
import cloister.proto.WorkerMessage;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Master key creation, sharing and rotation between gatekeeper enclaves; cluster and contract keys. */
class GatekeeperTest {
    private TestChain chain;
    private TestWorker g1;
    private TestWorker g2;

    @BeforeEach
    void setUp() {
        chain = new TestChain();
        g1 = new TestWorker().start(chain.genesisHash());
        g2 = new TestWorker().start(chain.genesisHash());
        chain.add(g1.registration(), g2.registration());
    }

    private static <T extends WorkerMessage> T only(List<SignedWorkerMessage> egress, Class<T> type) {
        assertEquals(1, egress.size(), egress.toString());
        return assertInstanceOf(type, egress.get(0).message());
    }

    @Test
    void theFirstGatekeeperCreatesTheMasterKeyAndSharesItWithTheNext() {
        chain.add(new InboundMessage.GatekeeperAdded(g1.id()));
        List<SignedWorkerMessage> out = g1.sync(chain);
        WorkerMessage.MasterKeyPublished p = only(out, WorkerMessage.MasterKeyPublished.class);
        assertEquals(0, p.epoch());
        assertTrue(p.shares().isEmpty());
        assertEquals(0, out.get(0).seq());
        assertTrue(out.get(0).verify(chain.genesisHash()));
        assertTrue(g2.sync(chain).isEmpty(), "not a gatekeeper: no duties");
        assertEquals(-1, g1.client.status().masterEpoch(), "held only once the chain accepts it");
        chain.accept(out);
        assertTrue(g1.sync(chain).isEmpty());
        assertEquals(0, g1.client.status().masterEpoch());
        assertTrue(g1.client.outbox().isEmpty(), "accepted egress leaves the outbox");

        chain.add(new InboundMessage.GatekeeperAdded(g2.id()));
        List<SignedWorkerMessage> share = g1.sync(chain);
        KeyShare s = only(share, WorkerMessage.MasterKeyShared.class).share();
        assertEquals(g2.id(), s.recipient());
        assertEquals(1, share.get(0).seq());
        assertTrue(g2.sync(chain).isEmpty(), "g2 is not the designated gatekeeper");
        chain.accept(share);
        assertTrue(g1.sync(chain).isEmpty());
        assertTrue(g2.sync(chain).isEmpty());
        assertEquals(0, g2.client.status().masterEpoch());
    }

    @Test
    void gatekeepersAddedTogetherGetTheKeyInThePublication() {
        chain.add(new InboundMessage.GatekeeperAdded(g1.id()), new InboundMessage.GatekeeperAdded(g2.id()));
        assertTrue(g2.sync(chain).isEmpty());
        List<SignedWorkerMessage> out = g1.sync(chain);
        WorkerMessage.MasterKeyPublished p = only(out, WorkerMessage.MasterKeyPublished.class);
        assertEquals(List.of(g2.id()), p.shares().stream().map(KeyShare::recipient).toList());
        chain.accept(out);
        assertTrue(g1.sync(chain).isEmpty());
        assertTrue(g2.sync(chain).isEmpty(), "g2 holds the key already: no share needed");
        assertEquals(0, g2.client.status().masterEpoch());
    }

    @Test
    void rotationCreatesANewEpochSharedWithEveryGatekeeper() {
        chain.add(new InboundMessage.GatekeeperAdded(g1.id()), new InboundMessage.GatekeeperAdded(g2.id()));
        List<SignedWorkerMessage> e0 = g1.sync(chain);
        chain.accept(e0);
        g2.sync(chain);
        // g1 restarts between the epochs: its master key history was sealed.
        g1.start(chain.genesisHash());
        chain.add(new InboundMessage.MasterKeyRotation(1, g1.id()));
        assertTrue(g2.sync(chain).isEmpty(), "only the named gatekeeper rotates");
        List<SignedWorkerMessage> e1 = g1.sync(chain);
        WorkerMessage.MasterKeyPublished p1 = only(e1, WorkerMessage.MasterKeyPublished.class);
        assertEquals(1, p1.epoch());
        assertEquals(1, e1.get(0).seq(), "the sequence number survived the restart");
        assertNotEquals(((WorkerMessage.MasterKeyPublished) e0.get(0).message()).masterPublicKey(), p1.masterPublicKey());
        assertEquals(List.of(g2.id()), p1.shares().stream().map(KeyShare::recipient).toList());
        chain.accept(e1);
        g1.sync(chain);
        g2.sync(chain);
        assertEquals(1, g1.client.status().masterEpoch());
        assertEquals(1, g2.client.status().masterEpoch());

        // Both derive the same contract key from epoch 1: a contract in a cluster of both is hosted by both with the
        // same keyed state commitment (the commitment is keyed by the contract secret).
        chain.add(new InboundMessage.ClusterCreated(0, List.of(g1.id(), g2.id())));
        List<SignedWorkerMessage> clusterKey = g1.sync(chain);
        assertEquals(0, only(clusterKey, WorkerMessage.ClusterKeyPublished.class).cluster());
        assertTrue(g2.sync(chain).isEmpty());
        chain.accept(clusterKey);
        ContractId notes = ContractId.system("secret-notes", 0);
        chain.add(new InboundMessage.ContractDeployed(notes, 0, "secret-notes", 1));
        List<SignedWorkerMessage> contractKey = g1.sync(chain);
        WorkerMessage.ContractKeyPublished ck = only(contractKey, WorkerMessage.ContractKeyPublished.class);
        assertEquals(List.of(g1.id(), g2.id()), ck.deliveries().stream().map(KeyShare::recipient).toList());
        assertTrue(g2.sync(chain).isEmpty());
        assertEquals(1, g1.client.status().hosted().size());
        assertEquals(g1.client.status().hosted(), g2.client.status().hosted());
    }

    @Test
    void theFirstGatekeeperAddedCreatesTheKeyWhateverTheRegistrationOrder() {
        chain.add(new InboundMessage.GatekeeperAdded(g2.id()));
        List<SignedWorkerMessage> g2Key = g2.sync(chain);
        only(g2Key, WorkerMessage.MasterKeyPublished.class);
        chain.add(new InboundMessage.GatekeeperAdded(g1.id()));
        assertTrue(g1.sync(chain).isEmpty(), "g1 is not the first gatekeeper");
        chain.accept(g2Key);
        assertTrue(g1.sync(chain).isEmpty());
        List<SignedWorkerMessage> share = g2.sync(chain);
        assertEquals(g1.id(), only(share, WorkerMessage.MasterKeyShared.class).share().recipient());
        chain.accept(share);
        g1.sync(chain);
        assertEquals(0, g1.client.status().masterEpoch());
    }
}
