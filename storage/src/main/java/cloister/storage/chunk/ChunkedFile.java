package cloister.storage.chunk;

import cloister.storage.cid.Cid;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Client-side file encryption for the storage network. A file is cut into {@value #CHUNK_SIZE}-byte chunks; each is
 * encrypted with AES-256-GCM under the file's own random 256-bit data key and stored as the raw block
 * {@code nonce (12, random) ‖ ciphertext ‖ tag (16)}, named by the CID of those bytes. The AAD binds each chunk to
 * its index and to the file's size, so chunks cannot be reordered, dropped or moved between files of one key
 * unnoticed. Random 96-bit nonces keep one key safe for far more chunks than a file can have (2^32 per NIST SP
 * 800-38D; a 4 GiB file has 16,384), also when more chunks are appended under the same key later.
 *
 * <p>The {@link Manifest} lists the chunks; the file's name and media type are sealed in it under
 * the same key. Nothing here ever leaves this process in plaintext: the data key is the caller's to wrap (see
 * {@link DataKeyWrap}).
 */
public final class ChunkedFile {
    /** 256 KiB: IPFS's default chunk size. */
    public static final int CHUNK_SIZE = 256 * 1024;
    public static final int NONCE_LENGTH = 12;
    public static final int TAG_LENGTH = 16;
    /** What encryption adds to each chunk. */
    public static final int BLOCK_OVERHEAD = NONCE_LENGTH + TAG_LENGTH;
    /** The largest block the store and the HTTP API accept (IPFS's own limit for a block is 1 MiB too). */
    public static final int MAX_BLOCK = 1024 * 1024;
    /** The largest file: 4 GiB (16,384 chunks; a 655 KB manifest). */
    public static final long MAX_FILE = 4L * 1024 * 1024 * 1024;
    private static final byte[] CHUNK_AAD = "cloister/chunk/v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] META_AAD = "cloister/file-metadata/v1".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();

    private ChunkedFile() {}

    /** Where encrypted blocks go (a chunk store, an upload). */
    @FunctionalInterface
    public interface BlockSink {
        void put(Cid cid, byte[] block) throws IOException;
    }

    /** Where blocks come from; {@code null} when the block is not there. */
    @FunctionalInterface
    public interface BlockSource {
        byte[] get(Cid cid) throws IOException;
    }

    /** Bytes of plaintext processed so far, of {@code total}. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (done, total) -> { };

        void update(long done, long total);
    }

    /** The private facts about a file, sealed in its manifest. */
    public record Metadata(String name, String mediaType) {}

    /** An encrypted file: the CID that names it, its manifest, and the data key (secret: wrap it, never log it). */
    public record Encrypted(Cid cid, Manifest manifest, byte[] dataKey) {
        @Override
        public String toString() {
            return "Encrypted[" + cid + ", " + manifest + "]";
        }
    }

    /**
     * Encrypts {@code size} bytes from {@code in} under a fresh data key and hands every block — chunks, then the
     * manifest — to {@code sink}.
     *
     * @throws IllegalArgumentException if {@code size} is negative or over {@link #MAX_FILE}
     * @throws IOException if {@code in} does not hold exactly {@code size} bytes, or the sink fails
     */
    public static Encrypted encrypt(InputStream in, long size, String name, String mediaType, BlockSink sink, Progress progress)
            throws IOException {
        byte[] dataKey = new byte[32];
        RANDOM.nextBytes(dataKey);
        return encrypt(in, size, name, mediaType, dataKey, sink, progress);
    }

    /** {@link #encrypt} under a given data key (fresh per file; tests and appends). */
    public static Encrypted encrypt(InputStream in, long size, String name, String mediaType, byte[] dataKey, BlockSink sink,
                                    Progress progress) throws IOException {
        if (size < 0 || size > MAX_FILE) {
            throw new IllegalArgumentException("a file of " + size + " bytes: the limit is " + MAX_FILE + " bytes (4 GiB)");
        }
        SecretKeySpec key = new SecretKeySpec(dataKey, "AES");
        int count = Manifest.chunkCount(size, CHUNK_SIZE);
        List<Manifest.ChunkRef> refs = new ArrayList<>(count);
        byte[] plain = new byte[CHUNK_SIZE];
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            for (int i = 0; i < count; i++) {
                int len = (int) Math.min(CHUNK_SIZE, size - (long) i * CHUNK_SIZE);
                readFully(in, plain, len, (long) i * CHUNK_SIZE, size);
                byte[] block = new byte[NONCE_LENGTH + len + TAG_LENGTH];
                byte[] nonce = new byte[NONCE_LENGTH];
                RANDOM.nextBytes(nonce);
                System.arraycopy(nonce, 0, block, 0, NONCE_LENGTH);
                cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_LENGTH * 8, nonce));
                cipher.updateAAD(chunkAad(i, size));
                cipher.doFinal(plain, 0, len, block, NONCE_LENGTH);
                Cid cid = Cid.raw(block);
                sink.put(cid, block);
                refs.add(new Manifest.ChunkRef(cid, block.length));
                progress.update((long) i * CHUNK_SIZE + len, size);
            }
            if (in.read() != -1) {
                throw new IOException("the input is longer than the " + size + " bytes announced");
            }
            byte[] meta = sealMetadata(key, new Metadata(name, mediaType));
            Manifest manifest = new Manifest(size, CHUNK_SIZE, refs, meta);
            byte[] manifestBytes = manifest.encode();
            Cid cid = Cid.raw(manifestBytes);
            sink.put(cid, manifestBytes);
            return new Encrypted(cid, manifest, dataKey.clone());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    /**
     * Fetches the manifest {@code cid} and every chunk from {@code source}, checks each block against its CID,
     * decrypts with {@code dataKey} and writes the plaintext to {@code out}. Each chunk's AEAD tag covers its index
     * and the file's size, and the manifest (named by its CID) fixes the chunk list, so a file that decrypts
     * completely is the file that was encrypted: no separate whole-file hash is needed.
     *
     * @return the file's metadata
     * @throws ManifestException if a block is missing, does not match its CID or does not decrypt (wrong key,
     *     altered, moved) — saying which chunk
     */
    public static Metadata decrypt(Cid cid, byte[] dataKey, BlockSource source, OutputStream out, Progress progress)
            throws ManifestException, IOException {
        Manifest m = fetchManifest(cid, source);
        SecretKeySpec key = new SecretKeySpec(dataKey, "AES");
        Cipher cipher = aesGcm();
        Metadata meta = openMetadata(cipher, key, m.sealedMetadata());
        // A small file needs no chunk-sized buffer: zeroing 256 KiB twice outweighs decrypting a few KB.
        byte[] plain = new byte[(int) Math.min(m.chunkSize(), m.plaintextSize())];
        try {
            for (int i = 0; i < m.chunks().size(); i++) {
                int len = openChunk(cipher, key, m, i, source, plain, 0);
                out.write(plain, 0, len);
                progress.update((long) i * m.chunkSize() + len, m.plaintextSize());
            }
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
        return meta;
    }

    /**
     * {@link #decrypt} of a whole file into one array, for files that are read into memory anyway (a job's record
     * batches): the same checks (every block against its CID, the metadata's and every chunk's AEAD tag), each chunk
     * decrypted straight into its place. The plaintext is the caller's to wipe.
     *
     * @param maxSize the largest plaintext accepted (at most {@code Integer.MAX_VALUE - 8})
     * @return the plaintext, exactly the manifest's size
     * @throws ManifestException as {@link #decrypt}, and if the manifest announces more than {@code maxSize} bytes
     */
    public static byte[] decryptToBytes(Cid cid, byte[] dataKey, BlockSource source, int maxSize) throws ManifestException, IOException {
        Manifest m = fetchManifest(cid, source);
        if (m.plaintextSize() > Math.min(maxSize, Integer.MAX_VALUE - 8)) {
            throw new ManifestException("the file holds " + m.plaintextSize() + " bytes; at most " + maxSize + " are expected here");
        }
        SecretKeySpec key = new SecretKeySpec(dataKey, "AES");
        Cipher cipher = aesGcm();
        openMetadata(cipher, key, m.sealedMetadata());
        byte[] plain = new byte[(int) m.plaintextSize()];
        try {
            for (int i = 0, at = 0; i < m.chunks().size(); i++) {
                at += openChunk(cipher, key, m, i, source, plain, at);
            }
        } catch (ManifestException | IOException | RuntimeException e) {
            Arrays.fill(plain, (byte) 0);
            throw e;
        }
        return plain;
    }

    /** Fetches chunk {@code i}, checks it against its CID and decrypts it into {@code out} at {@code offset}; its length. */
    private static int openChunk(Cipher cipher, SecretKeySpec key, Manifest m, int i, BlockSource source, byte[] out, int offset)
            throws ManifestException, IOException {
        Manifest.ChunkRef ref = m.chunks().get(i);
        byte[] block = source.get(ref.cid());
        if (block == null) {
            throw new ManifestException("chunk " + i + " (" + ref.cid() + ") is missing");
        }
        if (block.length != ref.blockSize() || !ref.cid().matches(block)) {
            throw new ManifestException("chunk " + i + " (" + ref.cid() + ") does not match its CID: the block is corrupt");
        }
        int len = m.plaintextLength(i);
        if (block.length != len + BLOCK_OVERHEAD) {
            throw new ManifestException("chunk " + i + " has " + block.length + " bytes; " + (len + BLOCK_OVERHEAD) + " expected");
        }
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_LENGTH * 8, block, 0, NONCE_LENGTH));
            cipher.updateAAD(chunkAad(i, m.plaintextSize()));
            cipher.doFinal(block, NONCE_LENGTH, block.length - NONCE_LENGTH, out, offset);
        } catch (AEADBadTagException e) {
            throw new ManifestException("chunk " + i + " does not decrypt with this key");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM failed", e);
        }
        return len;
    }

    /** Fetches and parses the manifest {@code cid}, checking the block against the CID. */
    public static Manifest fetchManifest(Cid cid, BlockSource source) throws ManifestException, IOException {
        if (cid.codec() != Cid.RAW) {
            throw new ManifestException(cid + " is not a raw-block CID (Cloister files are named by raw CIDs, bafkrei…)");
        }
        byte[] bytes = source.get(cid);
        if (bytes == null) {
            throw new ManifestException("the manifest " + cid + " is not there");
        }
        if (!cid.matches(bytes)) {
            throw new ManifestException("the block served for " + cid + " does not match the CID");
        }
        return Manifest.decode(bytes);
    }

    /** Opens a manifest's metadata with the data key. */
    public static Metadata metadata(Manifest m, byte[] dataKey) throws ManifestException {
        return openMetadata(aesGcm(), new SecretKeySpec(dataKey, "AES"), m.sealedMetadata());
    }

    private static Cipher aesGcm() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    private static byte[] chunkAad(int index, long size) {
        return ByteBuffer.allocate(CHUNK_AAD.length + 12).put(CHUNK_AAD).putInt(index).putLong(size).array();
    }

    private static byte[] sealMetadata(SecretKeySpec key, Metadata m) throws GeneralSecurityException {
        byte[] name = utf8(m.name(), 1024, "name");
        byte[] type = utf8(m.mediaType(), 256, "media type");
        ByteBuffer plain = ByteBuffer.allocate(4 + name.length + type.length);
        plain.putShort((short) name.length).put(name).putShort((short) type.length).put(type);
        byte[] nonce = new byte[NONCE_LENGTH];
        RANDOM.nextBytes(nonce);
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_LENGTH * 8, nonce));
        c.updateAAD(META_AAD);
        byte[] ct = c.doFinal(plain.array());
        byte[] out = Arrays.copyOf(nonce, NONCE_LENGTH + ct.length);
        System.arraycopy(ct, 0, out, NONCE_LENGTH, ct.length);
        return out;
    }

    private static Metadata openMetadata(Cipher c, SecretKeySpec key, byte[] sealed) throws ManifestException {
        if (sealed.length < BLOCK_OVERHEAD) {
            throw new ManifestException("the manifest's metadata is truncated");
        }
        byte[] plain;
        try {
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_LENGTH * 8, sealed, 0, NONCE_LENGTH));
            c.updateAAD(META_AAD);
            plain = c.doFinal(sealed, NONCE_LENGTH, sealed.length - NONCE_LENGTH);
        } catch (AEADBadTagException e) {
            throw new ManifestException("the file's metadata does not decrypt with this key (wrong key, or altered)");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM failed", e);
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(plain);
            byte[] name = new byte[b.getShort() & 0xffff];
            b.get(name);
            byte[] type = new byte[b.getShort() & 0xffff];
            b.get(type);
            if (b.hasRemaining()) {
                throw new ManifestException("the file's metadata has trailing bytes");
            }
            return new Metadata(new String(name, StandardCharsets.UTF_8), new String(type, StandardCharsets.UTF_8));
        } catch (java.nio.BufferUnderflowException e) {
            throw new ManifestException("the file's metadata is truncated");
        }
    }

    private static byte[] utf8(String s, int max, String what) {
        byte[] b = (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
        if (b.length > max) {
            throw new IllegalArgumentException("the " + what + " is longer than " + max + " bytes");
        }
        return b;
    }

    private static void readFully(InputStream in, byte[] buf, int len, long offset, long size) throws IOException {
        int n = 0;
        while (n < len) {
            int r = in.read(buf, n, len - n);
            if (r < 0) {
                throw new IOException("the input ended at byte " + (offset + n) + " of the " + size + " announced");
            }
            n += r;
        }
    }
}
