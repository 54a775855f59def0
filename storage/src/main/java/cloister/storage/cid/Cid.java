package cloister.storage.cid;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * A CIDv1 with a sha2-256 multihash (https://github.com/multiformats/cid): the bytes
 * {@code varint(1) ‖ varint(codec) ‖ varint(0x12) ‖ varint(32) ‖ digest}, written in text as multibase base32
 * ({@code "b"} + lower-case RFC 4648 base32 without padding). For codec {@link #RAW} (0x55) the digest is the
 * SHA-256 of the block's bytes, so a chunk gets exactly the CID {@code ipfs block put --cid-codec raw} gives it
 * (e.g. {@code bafkrei…}). Cloister stores every block — encrypted chunks and manifests — as a raw block.
 *
 * <p>Parsing refuses, with a reason: CIDv0 ({@code Qm…}), other multibases, other CID versions, other hash functions,
 * a digest of the wrong length, trailing bytes.
 */
public final class Cid implements Comparable<Cid> {
    /** Multicodec {@code raw}: the block is opaque bytes. */
    public static final int RAW = 0x55;
    /** Multicodec {@code dag-pb}: a protobuf DAG node (UnixFS); parsed and written, never stored by Cloister. */
    public static final int DAG_PB = 0x70;
    /** Multihash code of sha2-256. */
    public static final int SHA2_256 = 0x12;
    public static final int DIGEST_LENGTH = 32;
    /** The text length of a CIDv1 raw/dag-pb sha2-256 in base32: 1 + ceil(36 × 8 / 5). */
    public static final int TEXT_LENGTH = 59;

    private final int codec;
    private final byte[] digest;

    private Cid(int codec, byte[] digest) {
        this.codec = codec;
        this.digest = digest;
    }

    /** The CID of {@code digest}, a SHA-256 already computed, with {@code codec}. */
    public static Cid of(int codec, byte[] digest) {
        if (digest.length != DIGEST_LENGTH) {
            throw new IllegalArgumentException("a sha2-256 digest is 32 bytes, got " + digest.length);
        }
        if (codec < 0) {
            throw new IllegalArgumentException("codec " + codec);
        }
        return new Cid(codec, digest.clone());
    }

    /** The raw-codec CID of a block: SHA-256 of its bytes. */
    public static Cid raw(byte[] block) {
        return new Cid(RAW, sha256(block, 0, block.length));
    }

    /** The raw-codec CID of {@code block[offset, offset + length)}. */
    public static Cid raw(byte[] block, int offset, int length) {
        return new Cid(RAW, sha256(block, offset, length));
    }

    public int codec() {
        return codec;
    }

    public byte[] digest() {
        return digest.clone();
    }

    /** Whether {@code block} is the block this CID names (its SHA-256 equals the digest). */
    public boolean matches(byte[] block) {
        return MessageDigest.isEqual(digest, sha256(block, 0, block.length));
    }

    /** The binary CID. */
    public byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(36);
        Varint.write(out, 1);
        Varint.write(out, codec);
        Varint.write(out, SHA2_256);
        Varint.write(out, DIGEST_LENGTH);
        out.writeBytes(digest);
        return out.toByteArray();
    }

    /** The multihash: {@code 0x12 0x20 ‖ digest}. */
    public byte[] multihash() {
        byte[] mh = new byte[2 + DIGEST_LENGTH];
        mh[0] = SHA2_256;
        mh[1] = DIGEST_LENGTH;
        System.arraycopy(digest, 0, mh, 2, DIGEST_LENGTH);
        return mh;
    }

    /** Base32 multibase text, e.g. {@code bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e}. */
    @Override
    public String toString() {
        return "b" + Base32.encode(bytes());
    }

    /** Parses a binary CID (exactly one, nothing after it). */
    public static Cid fromBytes(byte[] b) throws CidFormatException {
        if (b.length >= 2 && b[0] == SHA2_256 && b[1] == DIGEST_LENGTH) {
            throw new CidFormatException("this is a CIDv0 (a bare multihash); Cloister uses CIDv1");
        }
        int pos = 0;
        Varint.Decoded version = Varint.read(b, pos);
        pos += version.length();
        if (version.value() != 1) {
            throw new CidFormatException("CID version " + version.value() + "; only version 1 is supported");
        }
        Varint.Decoded codec = Varint.read(b, pos);
        pos += codec.length();
        if (codec.value() > Integer.MAX_VALUE) {
            throw new CidFormatException("codec " + codec.value() + " is out of range");
        }
        Varint.Decoded hash = Varint.read(b, pos);
        pos += hash.length();
        if (hash.value() != SHA2_256) {
            throw new CidFormatException("hash function 0x" + Long.toHexString(hash.value()) + "; only sha2-256 (0x12) is supported");
        }
        Varint.Decoded len = Varint.read(b, pos);
        pos += len.length();
        if (len.value() != DIGEST_LENGTH) {
            throw new CidFormatException("a sha2-256 digest is 32 bytes, this CID says " + len.value());
        }
        if (b.length - pos != DIGEST_LENGTH) {
            throw new CidFormatException(b.length - pos < DIGEST_LENGTH ? "the digest is truncated" : "bytes after the digest");
        }
        return new Cid((int) codec.value(), Arrays.copyOfRange(b, pos, pos + DIGEST_LENGTH));
    }

    /**
     * Parses CID text.
     *
     * @throws CidFormatException with a plain reason: empty, CIDv0, another multibase, bad base32, bad CID bytes
     */
    public static Cid parse(String text) throws CidFormatException {
        if (text == null || text.isEmpty()) {
            throw new CidFormatException("empty CID");
        }
        if (text.length() > 200) {
            throw new CidFormatException("a CID of " + text.length() + " characters is too long");
        }
        if (text.length() == 46 && text.startsWith("Qm")) {
            throw new CidFormatException("'" + text + "' is a CIDv0 (Qm…); Cloister uses CIDv1 in base32 (b…)");
        }
        char base = text.charAt(0);
        if (base != 'b') {
            throw new CidFormatException("'" + shorten(text) + "' is not base32 multibase (CIDv1 text starts with 'b'"
                    + (base == 'B' ? "; upper case 'B' is not accepted" : base == 'z' ? "; 'z' is base58btc, not supported" : "") + ")");
        }
        return fromBytes(Base32.decode(text.substring(1)));
    }

    private static String shorten(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "…";
    }

    private static byte[] sha256(byte[] data, int offset, int length) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(data, offset, length);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cid c && c.codec == codec && Arrays.equals(c.digest, digest);
    }

    @Override
    public int hashCode() {
        return codec * 31 + Arrays.hashCode(digest);
    }

    @Override
    public int compareTo(Cid o) {
        int c = Integer.compare(codec, o.codec);
        return c != 0 ? c : Arrays.compareUnsigned(digest, o.digest);
    }
}
