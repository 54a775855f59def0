package cloister.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.common.Hash;
import cloister.common.Hex;
import cloister.crypto.DevKeys;
import cloister.crypto.MerkleTree;
import cloister.crypto.Sha256;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * REGRESSION vectors for our own format, the ones written in docs/codec.md. They were recorded from this code
 * (Ed25519 signing is deterministic, so they are stable): they do not prove the code right, they prove it has not
 * changed. If one fails, the wire format changed — that is a protocol change, not a test to update quietly.
 * The unsigned layout is additionally checked against a hand-assembled byte string from the documented fields.
 */
class CodecVectorsTest {
    static final String ALICE = "ec62973d52d802b8b7343d456832b514c00712cb58a9c668fe855710e9cc0229";
    static final String ALICE_ADDRESS = "clo1a33fw02jmqpt3de584zksv44znqqwykttz5uv687s4t3p6wvqg5s2u47ep";
    static final String BOB = "9d01d551e6d59f182b8105c6774b45b4bf808547c7ac911507103a88d9bde0bd";
    static final String BOB_ADDRESS = "clo1n5qa250x6k03s2upqhr8wj69kjlcpp28c7kfz9g8zqag3kdauz7scw8nz8";

    static final String TRANSFER_SIGNATURE = "cf3a887eec90596bee347956d314296fe385817338cd0271fde0b52c78cc4ec0"
            + "c145a601917e66f3c67284e3ba7a3de720a3f1a04b5e3a02beefefd47074220d";
    static final String TRANSFER_HEX = "01"
            + "1111111111111111111111111111111111111111111111111111111111111111"
            + ALICE
            + "0000000000000000"
            + "00000000000f4240"
            + "0101" + BOB + "00000002540be400"
            + TRANSFER_SIGNATURE;
    static final String TRANSFER_TX_HASH = "9f133d0a717a1b62e9086a4c793cb07790f8bbafbb90ea83b3bb716555ed6abe";
    static final String TRANSFER_PAYLOAD_HASH = "4d745dca96a3a68ce1072c253333f3c8386f7346f9690c1dffb43701db4364e2";

    static final String HEADER_HEX = "01" + "0000000000000001"
            + "1111111111111111111111111111111111111111111111111111111111111111"
            + "0000018bcfe56800"
            + "3c24f540c81c082f4d38b9dcfbe91c9cf95489493c29981add30f1478e7273ee"
            + "0000000000000000000000000000000000000000000000000000000000000000"
            + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
            + "d9045f404e3480c5cbb27597316940fe27a16bd4135ff3e04284be8d773f2b2a"
            + "7d8a21c617f58473a16b2750a4f6e54921fcb8ee772bce882df2d9dae0b291f4"
            + "13a82cfbfd0227da9e1f45c0cbb613b68b5d8589b02b98cbe8476f50c5e88008";
    static final String HEADER_HASH = "610746edbe9d1751d132fcbe605709bd2d8e303cb1bb31e591a6cdae37b9036e";

    static final String EVENTS_HEX = "00000002"
            + "00000001" + "02" + ALICE + "00000000000f4240"
            + "00000001" + "01" + ALICE + BOB + "00000002540be400";

    private static Transaction transfer() {
        return Transaction.sign(Hash.of(TransactionCodecTest.filled(32, 0x11)), DevKeys.get("alice"), 0, 1_000_000,
                new BalancesCall.Transfer(DevKeys.get("bob").account(), 10_000_000_000L));
    }

    @Test
    void devAccounts() {
        assertEquals(ALICE, DevKeys.get("alice").account().hex());
        assertEquals(ALICE_ADDRESS, DevKeys.get("alice").account().address());
        assertEquals(BOB, DevKeys.get("bob").account().hex());
        assertEquals(BOB_ADDRESS, DevKeys.get("bob").account().address());
    }

    @Test
    void transferOfTenCloFromAliceToBob() {
        Transaction tx = transfer();
        assertEquals(TRANSFER_HEX, Hex.encode(tx.encode()));
        assertEquals(187, tx.encodedLength());
        assertEquals(TRANSFER_TX_HASH, tx.hash().hex());
        assertEquals(TRANSFER_TX_HASH, Sha256.hash(Hex.decode(TRANSFER_HEX)).hex(), "tx hash = SHA-256 of the full encoding");
        assertEquals(TRANSFER_PAYLOAD_HASH, Sha256.hash(tx.signingPayload()).hex());
        assertEquals(Hex.encode("cloister/tx/v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                + TRANSFER_HEX.substring(0, TRANSFER_HEX.length() - 128), Hex.encode(tx.signingPayload()));
        assertEquals(TRANSFER_SIGNATURE, tx.signature().hex());
        Transaction decoded = Transaction.decode(Hex.decode(TRANSFER_HEX));
        assertTrue(decoded.verifySignature());
        assertEquals(new BalancesCall.Transfer(DevKeys.get("bob").account(), 10_000_000_000L), decoded.call());
    }

    @Test
    void sealedHeader() {
        Transaction tx = transfer();
        BlockHeader header = new BlockHeader(1, Hash.of(TransactionCodecTest.filled(32, 0x11)), 1_700_000_000_000L,
                Block.transactionsRoot(List.of(tx)), Hash.ZERO, MerkleTree.root(List.of()), DevKeys.get("alice").account(),
                Signature.EMPTY).sealedBy(DevKeys.derive("authority-0"));
        assertEquals(HEADER_HEX, Hex.encode(header.encode()));
        assertEquals(HEADER_HASH, header.hash().hex());
        assertEquals(HEADER_HASH, Sha256.hash(Hex.decode(HEADER_HEX.substring(0, HEADER_HEX.length() - 128))).hex());
        assertTrue(BlockHeader.decode(Hex.decode(HEADER_HEX)).verifySeal());
    }

    @Test
    void eventsOfTheTransfer() {
        List<EventRecord> events = List.of(
                new EventRecord(0, new Event.FeePaid(DevKeys.get("alice").account(), 1_000_000)),
                new EventRecord(0, new Event.Transfer(DevKeys.get("alice").account(), DevKeys.get("bob").account(), 10_000_000_000L)));
        assertEquals(EVENTS_HEX, Hex.encode(EventCodec.encode(events)));
        assertEquals(events, EventCodec.decode(Hex.decode(EVENTS_HEX)));
    }
}
