package cloister.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import cloister.crypto.DevKeys;
import cloister.crypto.SigningKey;
import cloister.common.Hash;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TransactionCodecTest {
    private static final long SEED = 0xC10157E5L;
    private static final int ROUNDS_PER_VARIANT = 200;
    /** Offsets from the documented layout: version 1, genesis 32, sender 32, nonce 8, fee 8, then the call. */
    private static final int CALL_OFFSET = 1 + 32 + 32 + 8 + 8;

    @Test
    void everyCallVariantRoundTrips() throws Exception {
        Arbitrary arb = new Arbitrary(SEED);
        Set<Class<?>> seen = new HashSet<>();
        for (int variant = 0; variant < Arbitrary.CALL_VARIANTS; variant++) {
            for (int round = 0; round < ROUNDS_PER_VARIANT; round++) {
                Transaction tx = arb.transaction(arb.call(variant));
                byte[] bytes = tx.encode();
                Transaction back = Transaction.decode(bytes);
                String where = "variant " + variant + " round " + round + " (seed " + SEED + ")";
                assertEquals(tx, back, where);
                assertArrayEquals(callBytes(tx.call()), callBytes(back.call()), where);
                assertEquals(tx.genesisHash(), back.genesisHash(), where);
                assertEquals(tx.sender(), back.sender(), where);
                assertEquals(tx.nonce(), back.nonce(), where);
                assertEquals(tx.fee(), back.fee(), where);
                assertEquals(tx.signature(), back.signature(), where);
                assertEquals(tx.hash(), back.hash(), where);
                assertArrayEquals(bytes, back.encode(), where);
                assertEquals(bytes.length, back.encodedLength(), where);
                assertTrue(back.verifySignature(), where);
                // The documented hash and signing payload, computed independently of Transaction.
                assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(bytes), tx.hash().bytes(), where);
                assertArrayEquals(concat("cloister/tx/v1".getBytes(StandardCharsets.US_ASCII), Arrays.copyOf(bytes, bytes.length - 64)),
                        back.signingPayload(), where);
                seen.add(back.call() instanceof SudoCall.Sudo s ? s.call().getClass() : back.call().getClass());
            }
        }
        assertEquals(Arbitrary.CALL_VARIANTS, seen.size(), "every call variant seen: " + seen);
    }

    @Test
    void encodedLengthsFollowTheLayout() {
        Arbitrary arb = new Arbitrary(SEED);
        assertEquals(CALL_OFFSET + 2 + 32 + 8 + 64, arb.transaction(arb.call(0)).encodedLength(), "transfer");
        assertEquals(CALL_OFFSET + 2 + 1 + 32 + 8 + 64, arb.transaction(arb.call(1)).encodedLength(), "sudo setBalance");
        assertEquals(CALL_OFFSET + 2 + 1 + 32 + 64, arb.transaction(arb.call(2)).encodedLength(), "sudo setSudoKey");
        assertEquals(CALL_OFFSET + 2 + 1 + 8 + 64, arb.transaction(arb.call(3)).encodedLength(), "sudo setMinimumFee");
    }

    @Test
    void everySingleByteMutationIsRefused() {
        Hash genesis = Hash.of(filled(32, 0x11));
        SigningKey alice = DevKeys.get("alice");
        Transaction transfer = Transaction.sign(genesis, alice, 7, 1_000_000,
                new BalancesCall.Transfer(DevKeys.get("bob").account(), 10_000_000_000L));
        Transaction sudo = Transaction.sign(genesis, alice, 8, 1_000_000,
                new SudoCall.Sudo(new GovernanceCall.SetBalance(DevKeys.get("charlie").account(), 5_000_000_000L)));
        int[] xorMasks = {0x01, 0x80, 0xff, 0x10, 0x7f}; // distinct non-zero masks: 5 distinct changed values per byte
        int checked = 0;
        int malformed = 0;
        for (Transaction original : new Transaction[] {transfer, sudo}) {
            byte[] bytes = original.encode();
            for (int pos = 0; pos < bytes.length; pos++) {
                for (int mask : xorMasks) {
                    byte[] m = bytes.clone();
                    m[pos] ^= (byte) mask;
                    checked++;
                    Transaction decoded;
                    try {
                        decoded = Transaction.decode(m);
                    } catch (MalformedException e) {
                        malformed++;
                        continue;
                    }
                    // Whatever decodes is canonical: it re-encodes to the mutated bytes exactly.
                    assertArrayEquals(m, decoded.encode(), "position " + pos + " mask " + mask);
                    if (decoded.genesisHash().equals(genesis) && decoded.verifySignature()) {
                        fail("mutation accepted: position " + pos + " xor 0x" + Integer.toHexString(mask) + " of " + original.call().name());
                    }
                }
            }
        }
        assertEquals(5 * (187 + 188), checked);
        assertTrue(malformed > 0, "tag and version mutations must be malformed");
        assertTrue(malformed < checked, "most mutations decode and fail the signature");
    }

    @Test
    void trailingBytesAreRefused() {
        Arbitrary arb = new Arbitrary(SEED + 1);
        for (int variant = 0; variant < Arbitrary.CALL_VARIANTS; variant++) {
            byte[] bytes = arb.transaction(arb.call(variant)).encode();
            for (int extra = 1; extra <= 3; extra++) {
                byte[] longer = Arrays.copyOf(bytes, bytes.length + extra);
                MalformedException e = assertThrows(MalformedException.class, () -> Transaction.decode(longer));
                assertTrue(e.getMessage().contains("trailing"), e.getMessage());
            }
        }
    }

    @Test
    void truncationAtEveryLengthIsRefused() {
        Arbitrary arb = new Arbitrary(SEED + 2);
        int checked = 0;
        for (int variant = 0; variant < Arbitrary.CALL_VARIANTS; variant++) {
            byte[] bytes = arb.transaction(arb.call(variant)).encode();
            for (int len = 0; len < bytes.length; len++) {
                byte[] shorter = Arrays.copyOf(bytes, len);
                assertThrows(MalformedException.class, () -> Transaction.decode(shorter), "length " + len);
                checked++;
            }
        }
        assertTrue(checked > 187 + 188 + 180 + 156, "every prefix of every variant: " + checked);
    }

    @Test
    void unknownModuleCallAndGovernanceTagsAreRefused() {
        Arbitrary arb = new Arbitrary(SEED + 3);
        byte[] transfer = arb.transaction(arb.call(0)).encode();
        byte[] sudo = arb.transaction(arb.call(1)).encode();
        assertEquals(CallCodec.MODULE_BALANCES, transfer[CALL_OFFSET]);
        assertEquals(CallCodec.MODULE_SUDO, sudo[CALL_OFFSET]);
        for (int module = 8; module < 256; module++) { // 0x07: stakepool, the newest module
            byte[] m = transfer.clone();
            m[CALL_OFFSET] = (byte) module;
            MalformedException e = assertThrows(MalformedException.class, () -> Transaction.decode(m));
            assertTrue(e.getMessage().contains("unknown call module"), e.getMessage());
        }
        for (int function = 0; function < 256; function++) {
            if (function == 0x01) {
                continue;
            }
            byte[] b = transfer.clone();
            b[CALL_OFFSET + 1] = (byte) function;
            assertTrue(assertThrows(MalformedException.class, () -> Transaction.decode(b)).getMessage().contains("unknown balances call"));
            byte[] s = sudo.clone();
            s[CALL_OFFSET + 1] = (byte) function;
            assertTrue(assertThrows(MalformedException.class, () -> Transaction.decode(s)).getMessage().contains("unknown sudo call"));
        }
        for (int tag : new int[] {0x00, 0x0D, 0x7f, 0x80, 0xff}) {
            byte[] g = sudo.clone();
            g[CALL_OFFSET + 2] = (byte) tag;
            assertTrue(assertThrows(MalformedException.class, () -> Transaction.decode(g)).getMessage().contains("unknown governance call"));
        }
    }

    @Test
    void unknownVersionIsRefused() {
        byte[] bytes = new Arbitrary(SEED + 4).transaction().encode();
        for (int version : new int[] {0, 2, 0xff}) {
            bytes[0] = (byte) version;
            assertTrue(assertThrows(MalformedException.class, () -> Transaction.decode(bytes)).getMessage().contains("version"));
        }
    }

    @Test
    void oversizeIsRefusedBeforeDecoding() {
        byte[] huge = new byte[Transaction.MAX_BYTES + 1];
        byte[] valid = new Arbitrary(SEED + 5).transaction().encode();
        System.arraycopy(valid, 0, huge, 0, valid.length);
        MalformedException e = assertThrows(MalformedException.class, () -> Transaction.decode(huge));
        assertTrue(e.getMessage().contains("exceeds"), e.getMessage());
    }

    @Test
    void u64FieldsAboveTwoToTheSixtyThreeAreRefused() {
        byte[] bytes = new Arbitrary(SEED + 6).transaction(new BalancesCall.Transfer(DevKeys.get("bob").account(), 1)).encode();
        for (int offset : new int[] {65, 73, CALL_OFFSET + 2 + 32}) { // nonce, fee, transfer amount
            byte[] m = bytes.clone();
            m[offset] |= (byte) 0x80;
            assertThrows(MalformedException.class, () -> Transaction.decode(m), "offset " + offset);
        }
    }

    @Test
    void signatureCoversTheNetworkAndIsCheckedAgainstTheSender() {
        Arbitrary arb = new Arbitrary(SEED + 7);
        Transaction tx = arb.transaction();
        Transaction forged = tx.withSignature(Signature.of(new byte[64]));
        assertFalse(forged.verifySignature());
        assertNotEquals(tx.hash(), forged.hash(), "the hash covers the signature");
        assertEquals(tx.signature(), forged.withSignature(tx.signature()).signature());
        assertTrue(forged.withSignature(tx.signature()).verifySignature());
        assertEquals(tx, forged.withSignature(tx.signature()));
    }

    @Test
    void constructionRefusesNegativeValues() {
        SigningKey alice = DevKeys.get("alice");
        Call call = new BalancesCall.Transfer(alice.account(), 1);
        assertThrows(IllegalArgumentException.class, () -> Transaction.sign(Hash.ZERO, alice, -1, 0, call));
        assertThrows(IllegalArgumentException.class, () -> Transaction.sign(Hash.ZERO, alice, 0, -1, call));
        assertThrows(IllegalArgumentException.class, () -> new BalancesCall.Transfer(alice.account(), -1));
        assertThrows(IllegalArgumentException.class, () -> new GovernanceCall.SetBalance(alice.account(), -1));
        assertThrows(IllegalArgumentException.class, () -> new GovernanceCall.SetMinimumFee(-1));
        assertThrows(NullPointerException.class, () -> Transaction.sign(Hash.ZERO, alice, 0, 0, null));
    }

    @Test
    void callNames() {
        Arbitrary arb = new Arbitrary(SEED);
        assertEquals("balances.transfer", arb.call(0).name());
        assertEquals("sudo.sudo", arb.call(1).name());
        assertEquals("setBalance", arb.governanceCall(0).name());
        assertEquals("setSudoKey", arb.governanceCall(1).name());
        assertEquals("setMinimumFee", arb.governanceCall(2).name());
    }

    static byte[] filled(int n, int value) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) value);
        return b;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] callBytes(Call call) {
        CanonicalWriter w = new CanonicalWriter();
        CallCodec.write(w, call);
        return w.toByteArray();
    }
}
