package cloister.node.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.sdk.BlockClient;
import cloister.sdk.NoSuchBlockException;
import cloister.storage.chunk.ChunkedFile;
import cloister.storage.cid.Cid;
import cloister.storage.store.BlockMismatchException;
import cloister.storage.store.ChunkStore;
import cloister.storage.store.DiskChunkStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The block gateway over a real {@link DiskChunkStore}, through real HTTP: {@link BlockClient}, and raw requests. */
class BlockGatewayIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The published vector: {@code printf 'hello world' | ipfs block put --cid-codec raw}. */
    private static final byte[] HELLO = "hello world".getBytes(StandardCharsets.US_ASCII);
    private static final String HELLO_CID = "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e";
    private static final String CIDV0 = "QmPZ9gcCEpqKTo6aq61g2nXGUhM4iCL3ewB6LDXZCtioEB";

    @TempDir
    Path dir;

    DiskChunkStore store;
    BlockGateway gateway;
    BlockClient client;
    String base;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws IOException {
        store = DiskChunkStore.open(dir, false);
        gateway = BlockGateway.start(store, "127.0.0.1", 0, true);
        base = "http://127.0.0.1:" + gateway.port();
        client = new BlockClient(base);
    }

    @AfterEach
    void stop() {
        client.close();
        gateway.close();
        store.close();
        http.close();
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private HttpResponse<byte[]> request(String method, String path) throws Exception {
        return request(method, path, HttpRequest.newBuilder());
    }

    private HttpResponse<byte[]> request(String method, String path, HttpRequest.Builder b) throws Exception {
        return http.send(b.uri(URI.create(base + path)).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Exactly what {@code curl -F file=@<name> <url>} sends. */
    private HttpResponse<byte[]> curlPut(String url, byte[] block) throws Exception {
        String boundary = "------------------------d74496d66958873e";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"chunk.bin\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        body.writeBytes(block);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return http.send(HttpRequest.newBuilder(URI.create(url))
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static JsonNode json(HttpResponse<byte[]> r) throws IOException {
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), r.headers().toString());
        return JSON.readTree(r.body());
    }

    /** Asserts a Kubo-style RPC error with {@code status} whose message contains {@code words}; returns the message. */
    private static String rpcError(HttpResponse<byte[]> r, int status, String words) throws IOException {
        assertEquals(status, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        JsonNode e = json(r);
        assertEquals("error", e.get("Type").asText());
        assertTrue(e.get("Code").isInt());
        String message = e.get("Message").asText();
        assertTrue(message.contains(words), message);
        assertFalse(message.contains("Exception") || message.contains("\tat "), message);
        return message;
    }

    private static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    @Test
    void publishedVectorRoundTripsThroughClientRpcAndGateway() throws Exception {
        Cid expected = Cid.parse(HELLO_CID);
        assertEquals(expected, client.put(HELLO));
        assertEquals(HELLO.length, store.size(expected).orElseThrow());

        assertArrayEquals(HELLO, client.get(expected));
        assertEquals(OptionalInt.of(11), client.stat(expected));

        HttpResponse<byte[]> stat = request("POST", "/api/v0/block/stat?arg=" + HELLO_CID);
        assertEquals(200, stat.statusCode());
        JsonNode s = json(stat);
        assertEquals(HELLO_CID, s.get("Key").asText());
        assertEquals(11, s.get("Size").asInt());

        for (String method : new String[] {"POST", "GET"}) {
            HttpResponse<byte[]> get = request(method, "/api/v0/block/get?arg=" + HELLO_CID);
            assertEquals(200, get.statusCode(), method);
            assertEquals("application/octet-stream", get.headers().firstValue("Content-Type").orElseThrow());
            assertArrayEquals(HELLO, get.body(), method);
        }
        // Kubo also takes an /ipfs/ path as the argument
        assertArrayEquals(HELLO, request("POST", "/api/v0/block/get?arg=/ipfs/" + HELLO_CID).body());

        HttpResponse<byte[]> g = request("GET", "/ipfs/" + HELLO_CID);
        assertEquals(200, g.statusCode());
        assertArrayEquals(HELLO, g.body());
        assertEquals("application/vnd.ipld.raw", g.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("\"" + HELLO_CID + ".raw\"", g.headers().firstValue("ETag").orElseThrow());
        assertEquals("public, max-age=29030400, immutable", g.headers().firstValue("Cache-Control").orElseThrow());
        assertEquals("/ipfs/" + HELLO_CID, g.headers().firstValue("X-Ipfs-Path").orElseThrow());
        assertEquals("11", g.headers().firstValue("Content-Length").orElseThrow());
        assertEquals("nosniff", g.headers().firstValue("X-Content-Type-Options").orElseThrow());
        assertEquals("attachment; filename=\"" + HELLO_CID + ".bin\"", g.headers().firstValue("Content-Disposition").orElseThrow());
    }

    @Test
    void curlStyleMultipartPutStoresTheBlockByteExact() throws Exception {
        byte[] block = random(300_000, 1);
        HttpResponse<byte[]> r = curlPut(base + "/api/v0/block/put?cid-codec=raw&mhtype=sha2-256&mhlen=-1&pin=false", block);
        assertEquals(200, r.statusCode(), text(r));
        JsonNode put = json(r);
        assertEquals(Cid.raw(block).toString(), put.get("Key").asText());
        assertEquals(block.length, put.get("Size").asInt());
        assertArrayEquals(block, store.get(Cid.raw(block)).orElseThrow());

        // the defaults (no options) are Kubo's: raw, sha2-256; a second put of the same block is fine
        HttpResponse<byte[]> again = curlPut(base + "/api/v0/block/put", block);
        assertEquals(Cid.raw(block).toString(), json(again).get("Key").asText());
        assertEquals(1, store.count());

        assertArrayEquals(block, client.get(Cid.raw(block)));
        assertArrayEquals(block, request("GET", "/ipfs/" + Cid.raw(block)).body());
        assertEquals(String.valueOf(block.length),
                request("GET", "/ipfs/" + Cid.raw(block)).headers().firstValue("Content-Length").orElseThrow());
    }

    @Test
    void aBlockOfExactlyTheLimitIsAcceptedAndServed() throws Exception {
        byte[] block = random(ChunkedFile.MAX_BLOCK, 2);
        Cid cid = client.put(block);
        assertEquals(Cid.raw(block), cid);
        assertArrayEquals(block, client.get(cid));
        assertArrayEquals(block, request("GET", "/ipfs/" + cid).body());
        // the empty block is a block too
        Cid empty = client.put(new byte[0]);
        assertArrayEquals(new byte[0], client.get(empty));
        assertEquals(OptionalInt.of(0), client.stat(empty));
    }

    @Test
    void malformedCidsAreRefusedWithTheParsersReason() throws Exception {
        rpcError(request("POST", "/api/v0/block/get?arg=" + CIDV0), 400, "CIDv0");
        rpcError(request("POST", "/api/v0/block/stat?arg=" + CIDV0), 400, "CIDv0");
        rpcError(request("POST", "/api/v0/block/get?arg=not-a-cid"), 400, "not base32 multibase");
        rpcError(request("POST", "/api/v0/block/get?arg=bafkreigarbage"), 400, "invalid CID");
        rpcError(request("POST", "/api/v0/block/get"), 400, "argument \"cid\" is required");
        assertEquals(1, json(request("POST", "/api/v0/block/get?arg=" + CIDV0)).get("Code").asInt(), "ErrClient");

        HttpResponse<byte[]> v0 = request("GET", "/ipfs/" + CIDV0);
        assertEquals(400, v0.statusCode());
        assertTrue(v0.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain"));
        assertTrue(text(v0).contains("CIDv0") && text(v0).contains("CIDv1"), text(v0));
        HttpResponse<byte[]> junk = request("GET", "/ipfs/zzzz");
        assertEquals(400, junk.statusCode());
        assertTrue(text(junk).contains("base58btc"), text(junk));
    }

    @Test
    void anUnknownBlockIsNotFoundEverywhere() throws Exception {
        Cid absent = Cid.raw("never stored".getBytes(StandardCharsets.US_ASCII));
        rpcError(request("POST", "/api/v0/block/get?arg=" + absent), 404, "could not find " + absent);
        rpcError(request("POST", "/api/v0/block/stat?arg=" + absent), 404, "could not find " + absent);
        assertEquals(404, request("GET", "/ipfs/" + absent).statusCode());
        assertEquals(404, request("HEAD", "/ipfs/" + absent).statusCode());
        // a gateway that only looks in its cache says so with 412
        assertEquals(412, request("HEAD", "/ipfs/" + absent,
                HttpRequest.newBuilder().header("Cache-Control", "only-if-cached")).statusCode());

        NoSuchBlockException e = assertThrows(NoSuchBlockException.class, () -> client.get(absent));
        assertEquals(absent, e.cid());
        assertTrue(e.getMessage().contains(base) && e.getMessage().contains(absent.toString()), e.getMessage());
        assertEquals(OptionalInt.empty(), client.stat(absent));
    }

    @Test
    void aReadOnlyGatewayServesButRefusesPuts() throws Exception {
        Cid held = client.put(HELLO);
        try (BlockGateway readOnly = BlockGateway.start(store, "127.0.0.1", 0, false);
                BlockClient ro = new BlockClient("http://127.0.0.1:" + readOnly.port() + "/")) {
            assertFalse(readOnly.writable());
            assertArrayEquals(HELLO, ro.get(held));
            byte[] block = random(1000, 3);
            HttpResponse<byte[]> r = curlPut("http://127.0.0.1:" + readOnly.port() + "/api/v0/block/put", block);
            rpcError(r, 403, "read-only");
            IOException e = assertThrows(IOException.class, () -> ro.put(block));
            assertTrue(e.getMessage().contains("read-only") && e.getMessage().contains("403"), e.getMessage());
            assertFalse(store.has(Cid.raw(block)));
            assertEquals(1, store.count());
        }
    }

    /**
     * A refusal reaches a client that is still sending its upload (chunked, as the SDK sends it): the gateway reads the
     * rest of the body before it answers. (Answering and closing with the body unread lets the client's late bytes draw
     * a TCP reset, which can discard the answer before the client reads it: the SDK then saw no response at all.)
     */
    @Test
    void aRefusalReachesAClientStillSendingItsBody() throws Exception {
        try (BlockGateway readOnly = BlockGateway.start(store, "127.0.0.1", 0, false);
                java.net.Socket socket = new java.net.Socket("127.0.0.1", readOnly.port())) {
            socket.setSoTimeout(10_000);
            String boundary = "b0undary";
            byte[] body = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"b\"\r\n\r\n" + "x".repeat(2000)
                    + "\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/v0/block/put HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: multipart/form-data; boundary=" + boundary
                    + "\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(300); // the gateway has the headers, not the body
            out.write((Integer.toHexString(body.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.write("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(answer.startsWith("HTTP/1.1 403 "), answer);
            assertTrue(answer.contains("read-only"), answer);
        }
        assertEquals(0, store.count());
    }

    @Test
    void otherCodecsAndHashesAreRefused() throws Exception {
        byte[] block = random(100, 4);
        rpcError(curlPut(base + "/api/v0/block/put?cid-codec=dag-pb", block), 400, "cid-codec=dag-pb is not supported");
        rpcError(curlPut(base + "/api/v0/block/put?cid-codec=dag-cbor", block), 400, "raw blocks only");
        rpcError(curlPut(base + "/api/v0/block/put?mhtype=sha2-512", block), 400, "mhtype=sha2-512 is not supported");
        rpcError(curlPut(base + "/api/v0/block/put?mhlen=20", block), 400, "mhlen=20");
        rpcError(curlPut(base + "/api/v0/block/put?format=v0", block), 400, "format=v0");
        assertEquals(0, store.count());
        // the block API does not take a bare body, nor a GET
        HttpResponse<byte[]> bare = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v0/block/put"))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(block)).build(), HttpResponse.BodyHandlers.ofByteArray());
        rpcError(bare, 400, "multipart/form-data");
        rpcError(request("GET", "/api/v0/block/put"), 405, "takes POST");
        assertEquals(0, store.count());
    }

    @Test
    void anOversizeBlockIsRefusedWithTheLimit() throws Exception {
        byte[] big = random(ChunkedFile.MAX_BLOCK + 1, 5);
        // with a Content-Length (refused unread)
        rpcError(curlPut(base + "/api/v0/block/put", big), 413, "at most " + ChunkedFile.MAX_BLOCK + " bytes");
        // chunked, no Content-Length: the multipart parser's limit
        String boundary = "xyzzy";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        body.writeBytes(big);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        HttpResponse<byte[]> chunked = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v0/block/put"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body.toByteArray())))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        rpcError(chunked, 413, "at most " + ChunkedFile.MAX_BLOCK + " bytes");
        // the client does not even send it
        BlockMismatchException e = assertThrows(BlockMismatchException.class, () -> client.put(big));
        assertTrue(e.getMessage().contains("over the limit"), e.getMessage());
        assertEquals(0, store.count());
    }

    @Test
    void aBlockCorruptedOnDiskIsNotServed() throws Exception {
        byte[] block = random(5000, 6);
        Cid cid = client.put(block);
        Path file;
        try (Stream<Path> files = Files.walk(dir.resolve("blocks"))) {
            file = files.filter(p -> p.getFileName().toString().equals(cid.toString())).findFirst().orElseThrow();
        }
        String hex = HexFormat.of().formatHex(cid.digest());
        assertEquals(dir.resolve("blocks").resolve(hex.substring(0, 2)).resolve(hex.substring(2, 4)).resolve(cid.toString()), file);
        byte[] rotten = block.clone();
        rotten[1234] ^= 0x01;
        Files.write(file, rotten);

        String m = rpcError(request("POST", "/api/v0/block/get?arg=" + cid), 500, "block is corrupt on this node");
        assertEquals(0, json(request("POST", "/api/v0/block/get?arg=" + cid)).get("Code").asInt());
        assertTrue(m.length() < 100, m);
        HttpResponse<byte[]> g = request("GET", "/ipfs/" + cid);
        assertEquals(500, g.statusCode());
        assertEquals(BlockGateway.CORRUPT + "\n", text(g));
        assertEquals(500, request("HEAD", "/ipfs/" + cid).statusCode());
        IOException e = assertThrows(IOException.class, () -> client.get(cid));
        assertFalse(e instanceof NoSuchBlockException);
        assertTrue(e.getMessage().contains("corrupt") && e.getMessage().contains(cid.toString()), e.getMessage());
        assertTrue(store.has(cid), "the gateway reports, the watchdog repairs");
    }

    @Test
    void headGivesTheHeadersAndNoBody() throws Exception {
        byte[] block = random(70_000, 7);
        Cid cid = client.put(block);
        HttpResponse<byte[]> h = request("HEAD", "/ipfs/" + cid);
        assertEquals(200, h.statusCode());
        assertEquals(0, h.body().length);
        assertEquals(String.valueOf(block.length), h.headers().firstValue("Content-Length").orElseThrow());
        assertEquals("application/vnd.ipld.raw", h.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("\"" + cid + ".raw\"", h.headers().firstValue("ETag").orElseThrow());
        assertEquals("public, max-age=29030400, immutable", h.headers().firstValue("Cache-Control").orElseThrow());
        assertEquals("/ipfs/" + cid, h.headers().firstValue("X-Ipfs-Path").orElseThrow());

        // a cache that holds it revalidates without the body
        HttpResponse<byte[]> cached = request("GET", "/ipfs/" + cid,
                HttpRequest.newBuilder().header("If-None-Match", "\"other\", \"" + cid + ".raw\""));
        assertEquals(304, cached.statusCode());
        assertEquals(0, cached.body().length);
        // only raw blocks are served; a service worker may not take the path over
        assertEquals(400, request("GET", "/ipfs/" + cid + "?format=car").statusCode());
        assertEquals(200, request("GET", "/ipfs/" + cid + "?format=raw").statusCode());
        assertEquals(400, request("GET", "/ipfs/" + cid, HttpRequest.newBuilder().header("Service-Worker", "script")).statusCode());
    }

    @Test
    void aCrossOriginBrowserRequestIsRefused() throws Exception {
        client.put(HELLO);
        HttpResponse<byte[]> r = request("POST", "/api/v0/block/get?arg=" + HELLO_CID,
                HttpRequest.newBuilder().header("Origin", "http://evil.example"));
        rpcError(r, 403, "origin http://evil.example is not allowed");
        HttpResponse<byte[]> same = request("POST", "/api/v0/block/get?arg=" + HELLO_CID,
                HttpRequest.newBuilder().header("Origin", base));
        assertArrayEquals(HELLO, same.body());
    }

    @Test
    void anIoFailureIsAGeneric500WithoutDetails() throws Exception {
        Cid cid = Cid.raw(HELLO);
        ChunkStore failing = new FailingStore();
        try (BlockGateway g = BlockGateway.start(failing, "127.0.0.1", 0, true)) {
            String url = "http://127.0.0.1:" + g.port();
            HttpResponse<byte[]> rpc = http.send(HttpRequest.newBuilder(URI.create(url + "/api/v0/block/get?arg=" + cid))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
            String m = rpcError(rpc, 500, "internal error");
            assertFalse(m.contains("disk on fire"), m);
            HttpResponse<byte[]> gw = http.send(HttpRequest.newBuilder(URI.create(url + "/ipfs/" + cid)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(500, gw.statusCode());
            assertEquals(BlockGateway.INTERNAL + "\n", text(gw));
            HttpResponse<byte[]> put = curlPut(url + "/api/v0/block/put", HELLO);
            assertFalse(rpcError(put, 500, "internal error").contains("disk on fire"));
        }
    }

    /** A tiny server that answers every call with {@code answer}: a node gone wrong. */
    private static HttpServer liar(Consumer<HttpExchange> answer) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.createContext("/", ex -> {
            try {
                ex.getRequestBody().readAllBytes();
                answer.accept(ex);
            } finally {
                ex.close();
            }
        });
        s.start();
        return s;
    }

    private static void reply(HttpExchange ex, int status, byte[] body) {
        try {
            ex.sendResponseHeaders(status, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theClientDetectsAServerThatLies() throws Exception {
        Cid cid = Cid.raw(HELLO);
        byte[] tampered = "hello world".getBytes(StandardCharsets.US_ASCII);
        tampered[0] = 'j';
        HttpServer wrongBytes = liar(ex -> reply(ex, 200, tampered));
        try (BlockClient c = new BlockClient("http://127.0.0.1:" + wrongBytes.getAddress().getPort())) {
            BlockMismatchException e = assertThrows(BlockMismatchException.class, () -> c.get(cid));
            assertTrue(e.getMessage().contains(cid.toString()) && e.getMessage().contains("/api/v0/block/get"), e.getMessage());
        } finally {
            wrongBytes.stop(0);
        }

        Cid other = Cid.raw(tampered);
        HttpServer wrongKey = liar(ex -> reply(ex, 200,
                ("{\"Key\":\"" + other + "\",\"Size\":11}").getBytes(StandardCharsets.US_ASCII)));
        try (BlockClient c = new BlockClient("http://127.0.0.1:" + wrongKey.getAddress().getPort())) {
            BlockMismatchException p = assertThrows(BlockMismatchException.class, () -> c.put(HELLO));
            assertTrue(p.getMessage().contains("as " + other) && p.getMessage().contains("expected " + cid), p.getMessage());
            IOException s = assertThrows(IOException.class, () -> c.stat(cid));
            assertTrue(s.getMessage().contains("answered about " + other), s.getMessage());
        } finally {
            wrongKey.stop(0);
        }

        HttpServer flood = liar(ex -> reply(ex, 200, new byte[BlockClient.MAX_RESPONSE + 1]));
        try (BlockClient c = new BlockClient("http://127.0.0.1:" + flood.getAddress().getPort())) {
            IOException e = assertThrows(IOException.class, () -> c.get(cid));
            assertTrue(e.getMessage().contains("over the limit") && e.getMessage().contains(cid.toString()), e.getMessage());
        } finally {
            flood.stop(0);
        }

        // Kubo's own "not found" is a 500 with a JSON error; the client knows it
        HttpServer kubo = liar(ex -> reply(ex, 500,
                "{\"Message\":\"block was not found locally (offline): ipld: could not find node\",\"Code\":0,\"Type\":\"error\"}\n"
                        .getBytes(StandardCharsets.US_ASCII)));
        try (BlockClient c = new BlockClient("http://127.0.0.1:" + kubo.getAddress().getPort())) {
            assertThrows(NoSuchBlockException.class, () -> c.get(cid));
            assertEquals(OptionalInt.empty(), c.stat(cid));
        } finally {
            kubo.stop(0);
        }
    }

    @Test
    void theClientNamesTheUrlWhenNobodyAnswers() throws Exception {
        try (BlockClient c = new BlockClient("http://127.0.0.1:1")) {
            IOException e = assertThrows(IOException.class, () -> c.get(Cid.raw(HELLO)));
            assertTrue(e.getMessage().contains("http://127.0.0.1:1/api/v0/block/get") && e.getMessage().contains(Cid.raw(HELLO).toString()),
                    e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new BlockClient("ftp://example.org"));
    }

    /** A store whose disk has failed. */
    private static final class FailingStore implements ChunkStore {
        @Override
        public boolean put(Cid cid, byte[] block) throws IOException {
            throw new IOException("disk on fire");
        }

        @Override
        public Optional<byte[]> get(Cid cid) throws IOException {
            throw new IOException("disk on fire");
        }

        @Override
        public boolean has(Cid cid) {
            return true;
        }

        @Override
        public OptionalInt size(Cid cid) {
            return OptionalInt.of(11);
        }

        @Override
        public boolean delete(Cid cid) throws IOException {
            throw new IOException("disk on fire");
        }

        @Override
        public long count() {
            return 0;
        }

        @Override
        public long bytes() {
            return 0;
        }

        @Override
        public void forEach(Consumer<Cid> action) {}

        @Override
        public void close() {}
    }
}
