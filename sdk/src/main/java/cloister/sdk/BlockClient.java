package cloister.sdk;

import cloister.storage.chunk.ChunkedFile;
import cloister.storage.cid.Cid;
import cloister.storage.cid.CidFormatException;
import cloister.storage.store.BlockMismatchException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A client for the block commands of an IPFS-style RPC API: a Cloister block gateway (a storage provider's, or the
 * node's staging gateway) or a Kubo daemon ({@code http://127.0.0.1:5001}). It trusts nothing it receives: {@link #get} checks the bytes against the CID, and
 * {@link #put} checks the CID the server stored the block under.
 *
 * <p>Limits: 5 s to connect, 60 s for a whole exchange (headers and body), and a response body of at most
 * {@value #MAX_RESPONSE} bytes (a block is at most {@value ChunkedFile#MAX_BLOCK}). Every failure is an
 * {@link IOException} whose message names the URL and, where there is one, the CID. "Not found" is
 * {@link NoSuchBlockException}: HTTP 404 (a Cloister gateway) or Kubo's 500 whose message says the block was not found.
 */
public final class BlockClient implements AutoCloseable {
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    /** The largest response body read: a block plus room for headers of a JSON answer; anything larger is refused. */
    public static final int MAX_RESPONSE = ChunkedFile.MAX_BLOCK + 64 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    /** An error message is quoted to the caller up to this many characters. */
    private static final int MAX_QUOTED = 300;

    private final URI base;
    private final HttpClient http;

    /**
     * @param baseUrl the API's root, e.g. {@code http://127.0.0.1:5001} (the {@code /api/v0/...} paths are appended)
     * @throws IllegalArgumentException if it is not an absolute http or https URL
     */
    public BlockClient(String baseUrl) {
        Objects.requireNonNull(baseUrl, "baseUrl");
        URI uri;
        try {
            uri = URI.create(baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a URL: " + baseUrl, e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw new IllegalArgumentException("not an http(s) URL: " + baseUrl);
        }
        this.base = uri;
        this.http = HttpClient.newBuilder()
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** The API root this client talks to. */
    public URI baseUrl() {
        return base;
    }

    /**
     * The block named {@code cid}, checked against it.
     *
     * @throws NoSuchBlockException if the node does not hold it
     * @throws BlockMismatchException if the bytes received do not hash to {@code cid}
     * @throws IOException on any other failure (connection, timeout, an error answer, a response over the limit)
     */
    public byte[] get(Cid cid) throws IOException, BlockMismatchException {
        Objects.requireNonNull(cid, "cid");
        URI url = url("block/get?arg=" + cid);
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(url).POST(HttpRequest.BodyPublishers.noBody()), url, cid);
        expectOk(r, url, cid);
        byte[] block = r.body();
        if (!cid.matches(block)) {
            throw new BlockMismatchException("POST " + url + " answered " + block.length + " bytes that do not match " + cid
                    + " (their CID is " + Cid.raw(block) + ")");
        }
        return block;
    }

    /**
     * Stores {@code block} as a raw block ({@code cid-codec=raw}, {@code mhtype=sha2-256}).
     *
     * @return its CID, {@link Cid#raw(byte[])}
     * @throws BlockMismatchException if the block is over {@value ChunkedFile#MAX_BLOCK} bytes (not sent), or the
     *     server says it stored it under another CID
     * @throws IOException on any other failure, including a refusal (a read-only node, a block over its limit)
     */
    public Cid put(byte[] block) throws IOException, BlockMismatchException {
        Objects.requireNonNull(block, "block");
        if (block.length > ChunkedFile.MAX_BLOCK) {
            throw new BlockMismatchException("a block of " + block.length + " bytes is over the limit of " + ChunkedFile.MAX_BLOCK);
        }
        Cid cid = Cid.raw(block);
        URI url = url("block/put?cid-codec=raw&mhtype=sha2-256");
        String boundary = boundaryFor(block);
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArrays(multipart(boundary, block)));
        HttpResponse<byte[]> r = send(request, url, cid);
        expectOk(r, url, cid);
        Cid stored = keyOf(r, url, cid);
        if (!stored.equals(cid)) {
            throw new BlockMismatchException("POST " + url + " stored the block of " + block.length + " bytes as " + stored
                    + ", expected " + cid);
        }
        return cid;
    }

    /**
     * The size of the block named {@code cid} as the node reports it, or empty if the node does not hold it.
     *
     * @throws IOException on any failure other than "not found", or if the node answers about another CID
     */
    public OptionalInt stat(Cid cid) throws IOException {
        Objects.requireNonNull(cid, "cid");
        URI url = url("block/stat?arg=" + cid);
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(url).POST(HttpRequest.BodyPublishers.noBody()), url, cid);
        try {
            expectOk(r, url, cid);
        } catch (NoSuchBlockException e) {
            return OptionalInt.empty();
        }
        Cid key = keyOf(r, url, cid);
        if (!key.equals(cid)) {
            throw new IOException("POST " + url + " answered about " + key + ", not " + cid);
        }
        JsonNode size = parseJson(r, url, cid).get("Size");
        if (size == null || !size.canConvertToInt() || size.asInt() < 0) {
            throw new IOException("POST " + url + " (" + cid + ") answered no valid \"Size\"");
        }
        return OptionalInt.of(size.asInt());
    }

    @Override
    public void close() {
        http.close();
    }

    private URI url(String command) {
        return URI.create(base + "/api/v0/" + command);
    }

    /** One exchange, bounded in time (all of it, body included) and in response size. */
    private HttpResponse<byte[]> send(HttpRequest.Builder request, URI url, Cid cid) throws IOException {
        HttpRequest req = request.timeout(REQUEST_TIMEOUT).build();
        String what = req.method() + " " + url + " (" + cid + ")";
        CompletableFuture<HttpResponse<byte[]>> exchange = http.sendAsync(req,
                info -> new LimitedBody(MAX_RESPONSE, info.headers().firstValueAsLong("Content-Length").orElse(-1)));
        try {
            return exchange.get(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            throw new HttpTimeoutException(what + ": no complete answer within " + REQUEST_TIMEOUT.toSeconds() + " s");
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(what + ": interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            String reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            throw new IOException(what + ": " + reason, cause);
        }
    }

    /** Throws unless the answer is 200: {@link NoSuchBlockException} for "not found", else an IOException. */
    private static void expectOk(HttpResponse<byte[]> r, URI url, Cid cid) throws IOException {
        if (r.statusCode() == 200) {
            return;
        }
        String message = errorMessage(r);
        String what = r.request().method() + " " + url + " (" + cid + ")";
        String lower = message.toLowerCase(Locale.ROOT);
        if (r.statusCode() == 404
                || (r.statusCode() == 500 && (lower.contains("not found") || lower.contains("could not find")))) {
            throw new NoSuchBlockException(cid, what + ": not found: " + message);
        }
        throw new IOException(what + ": HTTP " + r.statusCode() + ": " + message);
    }

    /** The {@code Message} of a Kubo-style JSON error, or the start of a text body. */
    private static String errorMessage(HttpResponse<byte[]> r) {
        String text = new String(r.body(), StandardCharsets.UTF_8).strip();
        if (text.startsWith("{")) {
            try {
                JsonNode m = JSON.readTree(text).get("Message");
                if (m != null && m.isTextual()) {
                    text = m.asText();
                }
            } catch (IOException e) {
                // not JSON after all: quote the text
            }
        }
        if (text.isEmpty()) {
            return "(no message)";
        }
        return text.length() <= MAX_QUOTED ? text : text.substring(0, MAX_QUOTED) + "…";
    }

    private static JsonNode parseJson(HttpResponse<byte[]> r, URI url, Cid cid) throws IOException {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new IOException(r.request().method() + " " + url + " (" + cid + ") answered something that is not JSON", e);
        }
    }

    private static Cid keyOf(HttpResponse<byte[]> r, URI url, Cid cid) throws IOException {
        JsonNode key = parseJson(r, url, cid).get("Key");
        if (key == null || !key.isTextual()) {
            throw new IOException(r.request().method() + " " + url + " (" + cid + ") answered no \"Key\"");
        }
        try {
            return Cid.parse(key.asText());
        } catch (CidFormatException e) {
            throw new IOException(r.request().method() + " " + url + " (" + cid + ") answered a \"Key\" that is not a CID: "
                    + e.getMessage(), e);
        }
    }

    /** A random boundary that does not occur in the block (with 128 random bits it practically never does). */
    private static String boundaryFor(byte[] block) {
        while (true) {
            byte[] r = new byte[16];
            RANDOM.nextBytes(r);
            String boundary = "cloister-" + HexFormat.of().formatHex(r);
            if (indexOf(block, ("--" + boundary).getBytes(StandardCharsets.US_ASCII)) < 0) {
                return boundary;
            }
        }
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= data.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** The body {@code curl -F file=@block} sends: one file part. */
    private static List<byte[]> multipart(String boundary, byte[] block) {
        String head = "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"block\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n";
        String tail = "\r\n--" + boundary + "--\r\n";
        return List.of(head.getBytes(StandardCharsets.US_ASCII), block, tail.getBytes(StandardCharsets.US_ASCII));
    }

    /** Collects a response body of at most {@code limit} bytes; a larger one fails the exchange, unread. */
    private static final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final int limit;
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private Flow.Subscription subscription;

        /** @param declared the Content-Length, or -1 if there is none */
        LimitedBody(int limit, long declared) {
            this.limit = limit;
            if (declared > limit) {
                result.completeExceptionally(tooLarge(declared + " bytes"));
            }
        }

        private IOException tooLarge(String size) {
            return new IOException("the response of " + size + " is over the limit of " + limit + " bytes");
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (result.isDone()) {
                s.cancel();
            } else {
                s.request(Long.MAX_VALUE);
            }
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer b : items) {
                if (buffer.size() + (long) b.remaining() > limit) {
                    subscription.cancel();
                    result.completeExceptionally(tooLarge("more than " + limit + " bytes"));
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                buffer.writeBytes(chunk);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(buffer.toByteArray());
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }
    }
}
