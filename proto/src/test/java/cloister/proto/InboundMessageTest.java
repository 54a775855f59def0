package cloister.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.common.Hash;
import cloister.crypto.MerkleTree;
import cloister.crypto.SigningKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InboundMessageTest {
    private static final long SEED = 0x1b0c_3a11L;

    @Test
    void everyVariantRoundTripsAndTheRootCommitsToTheList() {
        Arbitrary arb = new Arbitrary(SEED);
        Set<Class<?>> seen = new HashSet<>();
        List<InboundMessage> all = new ArrayList<>();
        for (int variant = 0; variant < Arbitrary.INBOUND_VARIANTS; variant++) {
            for (int round = 0; round < 50; round++) {
                InboundMessage m = arb.inbound(variant);
                byte[] bytes = m.encode();
                InboundMessage back = InboundMessage.decode(bytes);
                assertArrayEquals(bytes, back.encode(), "variant " + variant);
                assertEquals(m.hash(), back.hash());
                seen.add(back.getClass());
                all.add(m);
            }
        }
        assertEquals(Arbitrary.INBOUND_VARIANTS, seen.size());
        byte[] list = InboundMessage.encodeList(all);
        List<InboundMessage> back = InboundMessage.decodeList(list);
        assertEquals(InboundMessage.root(all), InboundMessage.root(back));
        assertEquals(MerkleTree.root(List.of()), InboundMessage.root(List.of()));
        List<InboundMessage> swapped = new ArrayList<>(all);
        java.util.Collections.swap(swapped, 0, 1);
        assertNotEquals(InboundMessage.root(all), InboundMessage.root(swapped), "order is committed");
    }

    @Test
    void everyTruncationAndTrailingByteIsRefused() {
        Arbitrary arb = new Arbitrary(SEED + 1);
        for (int variant = 0; variant < Arbitrary.INBOUND_VARIANTS; variant++) {
            byte[] bytes = arb.inbound(variant).encode();
            for (int len = 0; len < bytes.length; len++) {
                byte[] shorter = Arrays.copyOf(bytes, len);
                assertThrows(MalformedException.class, () -> InboundMessage.decode(shorter), "variant " + variant + " length " + len);
            }
            byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
            assertThrows(MalformedException.class, () -> InboundMessage.decode(longer));
        }
    }

    @Test
    void workerMessageSignatureBindsNetworkSequenceAndContent() {
        Arbitrary arb = new Arbitrary(SEED + 2);
        SigningKey key = arb.signer();
        Hash genesis = arb.hash();
        SignedWorkerMessage m = SignedWorkerMessage.sign(key, genesis, 7, arb.workerMessage());
        assertTrue(m.verify(genesis));
        assertFalse(m.verify(arb.hash()), "other network");
        assertFalse(new SignedWorkerMessage(m.worker(), 8, m.message(), m.signature()).verify(genesis), "other sequence");
        byte[] bytes = m.encode();
        assertArrayEquals(bytes, SignedWorkerMessage.decode(bytes).encode());
        int refused = 0;
        for (int i = 0; i < bytes.length; i++) {
            byte[] mutated = bytes.clone();
            mutated[i] ^= 0x01;
            try {
                if (!SignedWorkerMessage.decode(mutated).verify(genesis)) {
                    refused++;
                }
            } catch (MalformedException e) {
                refused++;
            }
        }
        assertEquals(bytes.length, refused, "every single-bit mutation is refused");
    }

    @Test
    void reportDataBindsEveryFieldOfTheWorkerInfo() {
        Arbitrary arb = new Arbitrary(SEED + 3);
        WorkerInfo info = arb.workerInfo();
        assertEquals(64, info.reportData().length);
        assertTrue(Arrays.equals(new byte[32], Arrays.copyOfRange(info.reportData(), 32, 64)));
        WorkerInfo other = new WorkerInfo(info.identity(), info.ecdhKey(), arb.hash(), info.operator(), info.runtimeVersion());
        assertFalse(Arrays.equals(info.reportData(), other.reportData()));
        assertEquals(info, WorkerInfo.decode(info.encode()));
    }
}
