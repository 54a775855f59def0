package cloister.storage.chunk;

import cloister.storage.cid.Cid;
import cloister.storage.cid.CidFormatException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A file as the storage network sees it: a raw block listing the file's encrypted chunks, whose CID names the file.
 * Public: the chunk CIDs and sizes (which the providers need to fetch and check them) and the file's size; private:
 * the name and media type, in {@code sealedMetadata} (AES-256-GCM under the file's data key).
 *
 * <p>Layout, big-endian: {@code "CLMF" ‖ u8 version (1) ‖ u64 plaintext size ‖ u32 chunk size ‖ u32 chunk count ‖
 * count × (CID bytes (36) ‖ u32 block size) ‖ u32 metadata length ‖ sealed metadata}. Parsing is strict: a manifest
 * either parses completely or is refused with the reason.
 */
public record Manifest(long plaintextSize, int chunkSize, List<ChunkRef> chunks, byte[] sealedMetadata) {
    private static final byte[] MAGIC = {'C', 'L', 'M', 'F'};
    public static final int VERSION = 1;
    /** A chunk's CID in binary: version, codec, hash code, length (1 byte each here) and the 32-byte digest. */
    private static final int CID_BYTES = 36;
    public static final int MAX_METADATA = 64 * 1024;

    /** One chunk: its raw-block CID (over the encrypted block) and the block's size. */
    public record ChunkRef(Cid cid, int blockSize) {}

    public Manifest {
        chunks = List.copyOf(chunks);
        sealedMetadata = sealedMetadata.clone();
        if (plaintextSize < 0 || chunkSize <= 0) {
            throw new IllegalArgumentException("bad sizes");
        }
        if (chunks.size() != chunkCount(plaintextSize, chunkSize)) {
            throw new IllegalArgumentException(chunks.size() + " chunks for " + plaintextSize + " bytes in chunks of " + chunkSize);
        }
    }

    /** How many chunks a file of {@code size} bytes has: at least one (an empty file is one empty chunk). */
    public static int chunkCount(long size, int chunkSize) {
        return (int) Math.max(1, (size + chunkSize - 1) / chunkSize);
    }

    @Override
    public byte[] sealedMetadata() {
        return sealedMetadata.clone();
    }

    /** The plaintext length of chunk {@code i}. */
    public int plaintextLength(int i) {
        long start = (long) i * chunkSize;
        return (int) Math.min(chunkSize, plaintextSize - start);
    }

    /** The sum of the encrypted blocks' sizes (what providers store), manifest excluded. */
    public long storedBytes() {
        return chunks.stream().mapToLong(ChunkRef::blockSize).sum();
    }

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(4 + 1 + 8 + 4 + 4 + chunks.size() * (CID_BYTES + 4) + 4 + sealedMetadata.length);
        b.put(MAGIC).put((byte) VERSION).putLong(plaintextSize).putInt(chunkSize).putInt(chunks.size());
        for (ChunkRef c : chunks) {
            byte[] cid = c.cid().bytes();
            if (cid.length != CID_BYTES) {
                throw new IllegalStateException("a chunk CID is not a raw sha2-256 CIDv1");
            }
            b.put(cid).putInt(c.blockSize());
        }
        b.putInt(sealedMetadata.length).put(sealedMetadata);
        return b.array();
    }

    /** @throws ManifestException if the bytes are not a manifest, with what is wrong */
    public static Manifest decode(byte[] bytes) throws ManifestException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        try {
            byte[] magic = new byte[4];
            b.get(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new ManifestException("not a Cloister file manifest (it does not start with \"CLMF\")");
            }
            int version = b.get() & 0xff;
            if (version != VERSION) {
                throw new ManifestException("manifest version " + version + "; this build reads version " + VERSION);
            }
            long size = b.getLong();
            int chunkSize = b.getInt();
            int count = b.getInt();
            if (size < 0 || chunkSize <= 0 || chunkSize > ChunkedFile.MAX_BLOCK) {
                throw new ManifestException("impossible sizes: file " + size + ", chunk " + chunkSize);
            }
            if (count != chunkCount(size, chunkSize) || (long) count * (CID_BYTES + 4) > b.remaining()) {
                throw new ManifestException(count + " chunks do not fit a file of " + size + " bytes in chunks of " + chunkSize
                        + " (or the manifest is truncated)");
            }
            List<ChunkRef> chunks = new ArrayList<>(count);
            byte[] cid = new byte[CID_BYTES];
            for (int i = 0; i < count; i++) {
                b.get(cid);
                Cid c = Cid.fromBytes(cid);
                if (c.codec() != Cid.RAW) {
                    throw new ManifestException("chunk " + i + " is not a raw block");
                }
                int blockSize = b.getInt();
                if (blockSize < ChunkedFile.BLOCK_OVERHEAD || blockSize > ChunkedFile.MAX_BLOCK) {
                    throw new ManifestException("chunk " + i + " has an impossible size " + blockSize);
                }
                chunks.add(new ChunkRef(c, blockSize));
            }
            int metaLength = b.getInt();
            if (metaLength < 0 || metaLength > MAX_METADATA || metaLength != b.remaining()) {
                throw new ManifestException("the metadata length does not match the manifest's size");
            }
            byte[] meta = new byte[metaLength];
            b.get(meta);
            return new Manifest(size, chunkSize, chunks, meta);
        } catch (java.nio.BufferUnderflowException e) {
            throw new ManifestException("the manifest is truncated");
        } catch (CidFormatException e) {
            throw new ManifestException("a chunk CID is malformed: " + e.getMessage());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Manifest m && m.plaintextSize == plaintextSize && m.chunkSize == chunkSize && m.chunks.equals(chunks)
                && Arrays.equals(m.sealedMetadata, sealedMetadata);
    }

    @Override
    public int hashCode() {
        return chunks.hashCode() * 31 + Long.hashCode(plaintextSize);
    }

    @Override
    public String toString() {
        return "Manifest[" + plaintextSize + " bytes, " + chunks.size() + " chunks]";
    }
}
