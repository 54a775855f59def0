package cloister.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.storage.cid.Cid;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our CIDs against an independent implementation: Debian's {@code ipfs-cid} tool ({@code /usr/bin/ipfs_cid}, Rust
 * cid/multihash/multibase crates), which prints the CIDv1 IPFS gives a file. For a file of one chunk (≤ 256 KiB)
 * that is a dag-pb node holding a UnixFS file leaf, so this test builds that node (protobuf, below) and checks that
 * our varint, multihash, CID and base32 code name it exactly as the tool does. {@code .ci/run} installs the tool;
 * elsewhere the test is skipped unless {@code CI} is set, in which case a missing tool fails it.
 */
class IpfsCidToolTest {
    private static final Path TOOL = Path.of("/usr/bin/ipfs_cid");

    @TempDir
    Path dir;

    @Test
    void singleChunkFilesGetTheSameCidAsTheIpfsCidTool() throws Exception {
        if (!Files.isExecutable(TOOL)) {
            if (System.getenv("CI") != null) {
                org.junit.jupiter.api.Assertions.fail("CI must have Debian's ipfs-cid installed (.ci/run installs it)");
            }
            Assumptions.abort("Debian's ipfs-cid is not installed (apt-get install ipfs-cid)");
        }
        Random r = new Random(11);
        int[] sizes = {0, 1, 11, 127, 128, 1000, 65_535, 100_000, 262_143, 262_144};
        for (int size : sizes) {
            byte[] data = new byte[size];
            r.nextBytes(data);
            Path f = dir.resolve("f" + size);
            Files.write(f, data);
            Process p = new ProcessBuilder(TOOL.toString(), f.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"CIDv1\":\"([a-z2-7]+)\"").matcher(out);
            assertTrue(m.find(), out);
            String expected = m.group(1);
            byte[] node = unixFsLeaf(data);
            Cid ours = Cid.of(Cid.DAG_PB, MessageDigest.getInstance("SHA-256").digest(node));
            assertEquals(expected, ours.toString(), "a file of " + size + " bytes");
            assertEquals(ours, Cid.parse(expected));
        }
    }

    /** PBNode{Data: UnixFS Data{Type: File (2), Data: bytes (omitted when empty), filesize}} with no links. */
    static byte[] unixFsLeaf(byte[] data) {
        ByteArrayOutputStream u = new ByteArrayOutputStream();
        u.write(0x08);
        u.write(2);
        if (data.length > 0) {
            u.write(0x12);
            u.writeBytes(cloister.storage.cid.Varint.encode(data.length));
            u.writeBytes(data);
        }
        u.write(0x18);
        u.writeBytes(cloister.storage.cid.Varint.encode(data.length));
        ByteArrayOutputStream n = new ByteArrayOutputStream();
        n.write(0x0a);
        n.writeBytes(cloister.storage.cid.Varint.encode(u.size()));
        n.writeBytes(u.toByteArray());
        return n.toByteArray();
    }
}
