package cloister.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import cloister.common.Hash;
import cloister.crypto.EcdhKey;
import cloister.crypto.HpkeException;
import cloister.proto.envelope.EventEnvelope;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EventEnvelopeTest {
    private final Arbitrary arb = new Arbitrary(7);
    private final byte[] secret = arb.bytes(32);
    private final EcdhKey key = EcdhKey.fromSecret(secret);
    private final Hash genesis = arb.hash();
    private final ContractId contract = new ContractId(arb.hash());
    private final byte[] event = "bob bid 300".getBytes(StandardCharsets.UTF_8);

    @Test
    void sealingIsDeterministicSoEveryWorkerReportsTheSameBytes() throws Exception {
        Hash tx = arb.hash();
        byte[] a = EventEnvelope.seal(key, secret, genesis, contract, tx, 0, event);
        byte[] b = EventEnvelope.seal(EcdhKey.fromSecret(secret.clone()), secret.clone(), genesis, contract, tx, 0, event);
        assertArrayEquals(a, b);
        assertEquals(event.length + EventEnvelope.OVERHEAD, a.length);
        assertArrayEquals(event, EventEnvelope.open(key, genesis, contract, tx, 0, a));
    }

    @Test
    void everyEventGetsItsOwnEphemeralKeySoNoKeystreamRepeats() {
        Set<String> encs = new HashSet<>();
        for (int tx = 0; tx < 20; tx++) {
            Hash h = arb.hash();
            for (int i = 0; i < 5; i++) {
                byte[] sealed = EventEnvelope.seal(key, secret, genesis, contract, h, i, event);
                assertFalse(!encs.add(Arrays.toString(Arrays.copyOf(sealed, 32))), "an ephemeral key repeated");
            }
        }
        assertEquals(100, encs.size());
    }

    @Test
    void anEventOpensOnlyWithTheContractKeyForItsCallAndIndex() {
        Hash tx = arb.hash();
        byte[] sealed = EventEnvelope.seal(key, secret, genesis, contract, tx, 3, event);
        assertThrows(HpkeException.class, () -> EventEnvelope.open(key, genesis, contract, tx, 4, sealed));
        assertThrows(HpkeException.class, () -> EventEnvelope.open(key, genesis, contract, arb.hash(), 3, sealed));
        assertThrows(HpkeException.class, () -> EventEnvelope.open(key, genesis, new ContractId(arb.hash()), tx, 3, sealed));
        assertThrows(HpkeException.class, () -> EventEnvelope.open(key, arb.hash(), contract, tx, 3, sealed));
        assertThrows(HpkeException.class, () -> EventEnvelope.open(EcdhKey.fromSecret(arb.bytes(32)), genesis, contract, tx, 3, sealed));
        byte[] tampered = sealed.clone();
        tampered[40] ^= 1;
        assertThrows(HpkeException.class, () -> EventEnvelope.open(key, genesis, contract, tx, 3, tampered));
    }
}
