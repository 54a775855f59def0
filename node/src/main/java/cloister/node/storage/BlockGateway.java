package cloister.node.storage;

import cloister.sdk.BlockClient;
import cloister.storage.chunk.ChunkedFile;
import cloister.storage.cid.Cid;
import cloister.storage.cid.CidFormatException;
import cloister.storage.store.BlockMismatchException;
import cloister.storage.store.ChunkStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.config.SizeUnit;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.http.UploadedFile;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An IPFS-compatible HTTP face on a {@link ChunkStore} (Javalin on Jetty), so that {@code ipfs --api}, curl and IPFS
 * HTTP clients can fetch Cloister's blocks and, when the gateway is writable, add them. Two surfaces, each a subset
 * of Kubo's:
 *
 * <ul>
 *   <li>The block commands of Kubo's RPC API, argument in the query ({@code ?arg=<cid>}, a leading {@code /ipfs/} is
 *       accepted), POST as Kubo wants it and GET as well for curl:
 *       <ul>
 *         <li>{@code /api/v0/block/get?arg=<cid>}: the block's bytes, {@code application/octet-stream};
 *         <li>{@code /api/v0/block/stat?arg=<cid>}: {@code {"Key": "<cid>", "Size": n}}, from the store's index
 *             (the block is not read, so a corrupt block still has a size here);
 *         <li>{@code POST /api/v0/block/put}: the block is the one file part of a {@code multipart/form-data} body
 *             ({@code ipfs block put}, {@code curl -F file=@block}); answers {@code {"Key", "Size"}}. Only
 *             {@code cid-codec=raw}, {@code mhtype=sha2-256} and {@code mhlen} -1 or 32 are accepted (they are the
 *             defaults); {@code pin} and {@code allow-big-block} are ignored — nothing is pinned here and no block
 *             over {@value ChunkedFile#MAX_BLOCK} bytes is ever accepted. Refused with 403 unless the gateway was
 *             started writable.
 *       </ul>
 *       Errors are Kubo's {@code {"Message": ..., "Code": c, "Type": "error"}}, {@code Code} 1 (go-ipfs-cmds'
 *       {@code ErrClient}) for a refusal of the request, 0 otherwise. A request carrying an {@code Origin} other
 *       than this server's own is refused with 403, as Kubo does by default, so that a web page cannot drive the
 *       API from a browser.
 *   <li>A read-only path gateway, {@code GET|HEAD /ipfs/{cid}}, answering the block as a verifiable raw block (what
 *       the path gateway spec answers to {@code ?format=raw}): {@code Content-Type: application/vnd.ipld.raw},
 *       {@code ETag: "<cid>.raw"}, {@code Cache-Control: public, max-age=29030400, immutable}, {@code X-Ipfs-Path},
 *       {@code X-Ipfs-Roots}, {@code Content-Disposition: attachment; filename="<cid>.bin"},
 *       {@code X-Content-Type-Options: nosniff}, {@code Content-Length}. {@code If-None-Match} with that ETag gives
 *       304; {@code Cache-Control: only-if-cached} for a block not held gives 412. HEAD reads and checks the block
 *       as GET does (a block is at most 1 MiB), so the two always agree. Errors are plain text.
 * </ul>
 *
 * <p><b>Only raw blocks exist here.</b> Cloister stores every block — encrypted chunks and manifests — as a raw
 * block, so there is no UnixFS: no file or directory rendering, no sub-paths under a CID, no CAR, TAR or DAG-JSON
 * responses ({@code ?format=} other than {@code raw} is refused with 400), no {@code /ipns}, no {@code Range}
 * ({@code Accept-Ranges: none}). A CIDv1 of another codec is parsed but is simply not found.
 *
 * <p>Status codes: a malformed CID (CIDv0 {@code Qm…}, another multibase, garbage) is 400 with the parser's reason.
 * A block this node does not hold is 404 on both surfaces; Kubo answers its RPC with 500 there (offline: "block was
 * not found locally"), but 404 tells a client that the request was fine and the block is simply not here, and
 * {@link BlockClient} also understands Kubo's 500. A block whose bytes no longer hash to its CID (disk corruption) is
 * never served: 500 "block is corrupt on this node" (the watchdog finds and repairs it). An I/O failure is 500 with
 * a generic message; the details go to this node's log, never to the client. Nothing here logs block content: debug
 * lines name CIDs and sizes only.
 *
 * <p>{@link #close()} stops the server; the store stays the caller's to close.
 */
public final class BlockGateway implements AutoCloseable {
    /**
     * What a block upload may carry beyond the block: the multipart boundaries and part headers (a file name, a
     * content type). A request over {@code MAX_BLOCK} plus this is refused from its {@code Content-Length}, unread.
     */
    public static final int MULTIPART_SLACK = 64 * 1024;
    public static final String RAW_CONTENT_TYPE = "application/vnd.ipld.raw";
    /** The path gateway spec's directive for every immutable {@code /ipfs/} response. */
    public static final String IMMUTABLE = "public, max-age=29030400, immutable";
    static final String CORRUPT = "block is corrupt on this node";
    static final String INTERNAL = "internal error; see the node's log";

    private static final Logger LOG = LoggerFactory.getLogger(BlockGateway.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RPC_PREFIX = "/api/v0/";
    /** go-ipfs-cmds' error types: {@code ErrNormal} and {@code ErrClient}. */
    private static final int ERR_NORMAL = 0;
    private static final int ERR_CLIENT = 1;

    private final Javalin app;
    private final ChunkStore store;
    private final boolean writable;

    private BlockGateway(ChunkStore store, boolean writable) {
        this.store = store;
        this.writable = writable;
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            // Blocks are encrypted or already compact: compressing them costs CPU and breaks Content-Length.
            config.http.compressionStrategy = CompressionStrategy.NONE;
            config.http.prefer405over404 = true;
            // An upload is parsed in memory (no temporary files) and bounded, also when it comes chunked.
            config.jetty.multipartConfig.maxFileSize(ChunkedFile.MAX_BLOCK, SizeUnit.BYTES);
            config.jetty.multipartConfig.maxInMemoryFileSize(ChunkedFile.MAX_BLOCK + 1, SizeUnit.BYTES);
            config.jetty.multipartConfig.maxTotalRequestSize(ChunkedFile.MAX_BLOCK + MULTIPART_SLACK, SizeUnit.BYTES);
            for (HandlerType method : List.of(HandlerType.POST, HandlerType.GET)) {
                config.routes.addHttpHandler(method, RPC_PREFIX + "block/get", rpc(this::blockGet));
                config.routes.addHttpHandler(method, RPC_PREFIX + "block/stat", rpc(this::blockStat));
            }
            config.routes.post(RPC_PREFIX + "block/put", rpc(this::blockPut));
            config.routes.get("/ipfs/{cid}", this::gateway);
            config.routes.head("/ipfs/{cid}", this::gateway);
            config.routes.exception(Refusal.class, (e, ctx) -> refuse(ctx, e.status, e.getMessage()));
            config.routes.exception(HttpResponseException.class, (e, ctx) -> {
                String message = switch (e.getStatus()) {
                    case 404 -> "no such endpoint: " + ctx.method() + " " + ctx.path()
                            + " (served: /api/v0/block/get, /api/v0/block/stat, /api/v0/block/put, /ipfs/{cid})";
                    case 405 -> "method " + ctx.method() + " is not allowed on " + ctx.path()
                            + (ctx.path().startsWith(RPC_PREFIX) ? " (the RPC API takes POST)" : "");
                    default -> e.getStatus() >= 500 ? INTERNAL : e.getMessage();
                };
                refuse(ctx, e.getStatus(), message);
            });
            config.routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("internal error on {} {}", ctx.method(), ctx.path(), e);
                refuse(ctx, 500, INTERNAL);
            });
        });
    }

    /**
     * Starts serving {@code store} on {@code host:port} (port 0 picks a free one; see {@link #port()}).
     *
     * @param writable whether {@code /api/v0/block/put} accepts blocks; a read-only gateway refuses it with 403
     */
    public static BlockGateway start(ChunkStore store, String host, int port, boolean writable) {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(host, "host");
        BlockGateway gateway = new BlockGateway(store, writable);
        gateway.app.start(host, port);
        return gateway;
    }

    public int port() {
        return app.port();
    }

    public boolean writable() {
        return writable;
    }

    /** Stops the server. The store is not closed. */
    @Override
    public void close() {
        app.stop();
    }

    // ---- RPC ----

    /** Every RPC handler: refuses cross-origin browser requests first (Kubo's default CORS policy). */
    private static Handler rpc(Handler handler) {
        return ctx -> {
            String origin = ctx.header("Origin");
            if (origin != null && !origin.equals(ctx.scheme() + "://" + ctx.host())) {
                throw new Refusal(403, "origin " + origin + " is not allowed to use this node's RPC API");
            }
            handler.handle(ctx);
        };
    }

    private void blockGet(Context ctx) {
        Cid cid = rpcArg(ctx);
        byte[] block = verifiedBlock(cid);
        LOG.debug("block/get {} ({} bytes)", cid, block.length);
        ctx.contentType("application/octet-stream");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.res().setContentLength(block.length);
        ctx.result(block);
    }

    private void blockStat(Context ctx) {
        Cid cid = rpcArg(ctx);
        OptionalInt size = store.size(cid);
        if (size.isEmpty()) {
            throw notFound(cid);
        }
        LOG.debug("block/stat {} ({} bytes)", cid, size.getAsInt());
        json(ctx, cid, size.getAsInt());
    }

    private void blockPut(Context ctx) throws IOException {
        if (!writable) {
            throw new Refusal(403, "this node's block API is read-only: block/put is disabled");
        }
        option(ctx, "cid-codec", List.of("raw"), "this node stores raw blocks only (cid-codec=raw)");
        option(ctx, "mhtype", List.of("sha2-256"), "this node hashes blocks with sha2-256 only (mhtype=sha2-256)");
        option(ctx, "mhlen", List.of("-1", "32"), "a sha2-256 digest is 32 bytes (mhlen=32 or -1)");
        option(ctx, "format", List.of("raw"), "this node stores raw blocks only (the deprecated format= must be raw)");
        String type = ctx.contentType();
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            throw new Refusal(400, "send the block as the file part of a multipart/form-data body (curl -F file=@block)");
        }
        long declared = ctx.req().getContentLengthLong();
        if (declared > ChunkedFile.MAX_BLOCK + MULTIPART_SLACK) {
            throw tooLarge("this upload is " + declared + " bytes");
        }
        List<UploadedFile> files;
        try {
            files = ctx.uploadedFiles();
        } catch (Exception e) { // Jetty's ServletException comes through Kotlin undeclared
            throw unreadableUpload(e);
        }
        if (files.size() != 1) {
            throw new Refusal(400, files.isEmpty()
                    ? "the form has no file part: send the block as a file (curl -F file=@block)"
                    : "one block per request: the form has " + files.size() + " file parts");
        }
        byte[] block;
        try (InputStream in = files.get(0).content()) {
            block = in.readNBytes(ChunkedFile.MAX_BLOCK + 1);
        }
        if (block.length > ChunkedFile.MAX_BLOCK) {
            throw tooLarge("this block is larger");
        }
        Cid cid = Cid.raw(block);
        boolean added;
        try {
            added = store.put(cid, block);
        } catch (BlockMismatchException e) {
            throw new Refusal(400, e.getMessage());
        } catch (IOException e) {
            LOG.warn("storing block {} ({} bytes) failed", cid, block.length, e);
            throw new Refusal(500, INTERNAL);
        }
        LOG.debug("block/put {} ({} bytes, {})", cid, block.length, added ? "stored" : "already held");
        json(ctx, cid, block.length);
    }

    /** The one {@code arg} of an RPC call, a CID (or {@code /ipfs/<cid>}, as Kubo accepts). */
    private static Cid rpcArg(Context ctx) {
        List<String> args = ctx.queryParams("arg");
        if (args.isEmpty() || args.get(0).isEmpty()) {
            throw new Refusal(400, "argument \"cid\" is required");
        }
        if (args.size() > 1) {
            throw new Refusal(400, "expected one argument \"cid\", got " + args.size());
        }
        String arg = args.get(0);
        return parseCid(arg.startsWith("/ipfs/") ? arg.substring("/ipfs/".length()) : arg);
    }

    /** Refuses an option whose value is not one of {@code accepted}; an absent option takes the default. */
    private static void option(Context ctx, String name, List<String> accepted, String why) {
        String value = ctx.queryParam(name);
        if (value != null && !accepted.contains(value)) {
            throw new Refusal(400, name + "=" + value + " is not supported: " + why);
        }
    }

    /**
     * Jetty's multipart parser failed: over its limits (a chunked upload has no Content-Length to check before), or
     * not multipart. Jetty says which only in the message of the cause ({@code "max file size exceeded: 1048576"}).
     */
    private static Refusal unreadableUpload(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (t instanceof IllegalStateException && m != null && m.startsWith("max ") && m.contains("exceeded")) {
                return tooLarge("this upload is larger");
            }
        }
        LOG.debug("unreadable multipart upload: {}", e.toString());
        return new Refusal(400, "the multipart/form-data body could not be read; send the block as curl -F file=@block does");
    }

    private static Refusal tooLarge(String what) {
        return new Refusal(413, "a block is at most " + ChunkedFile.MAX_BLOCK + " bytes (1 MiB); " + what);
    }

    private static void json(Context ctx, Cid cid, int size) {
        ctx.contentType("application/json");
        ctx.result(JSON.createObjectNode().put("Key", cid.toString()).put("Size", size) + "\n");
    }

    // ---- path gateway ----

    private void gateway(Context ctx) {
        if (ctx.header("Service-Worker") != null) {
            throw new Refusal(400, "a service worker cannot be registered for /ipfs/{cid}");
        }
        Cid cid = parseCid(ctx.pathParam("cid"));
        String format = ctx.queryParam("format");
        if (format != null && !format.equals("raw")) {
            throw new Refusal(400, "format=" + format + " is not served: this node holds raw blocks only (format=raw)");
        }
        String etag = "\"" + cid + ".raw\"";
        String cacheControl = ctx.header("Cache-Control");
        if (cacheControl != null && cacheControl.contains("only-if-cached") && !store.has(cid)) {
            ctx.status(412);
            return;
        }
        String ifNoneMatch = ctx.header("If-None-Match");
        if (ifNoneMatch != null && etagMatches(ifNoneMatch, etag) && store.has(cid)) {
            ctx.header("ETag", etag).header("Cache-Control", IMMUTABLE).status(304);
            return;
        }
        byte[] block = verifiedBlock(cid);
        LOG.debug("{} /ipfs/{} ({} bytes)", ctx.method(), cid, block.length);
        ctx.contentType(RAW_CONTENT_TYPE);
        ctx.header("ETag", etag);
        ctx.header("Cache-Control", IMMUTABLE);
        ctx.header("X-Ipfs-Path", "/ipfs/" + cid);
        ctx.header("X-Ipfs-Roots", cid.toString());
        ctx.header("Content-Disposition", "attachment; filename=\"" + cid + ".bin\"");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Accept-Ranges", "none");
        ctx.res().setContentLength(block.length);
        if (ctx.method() != HandlerType.HEAD) {
            ctx.result(block);
        }
    }

    /** Whether an {@code If-None-Match} list names {@code etag} (weak or strong) or is {@code *}. */
    static boolean etagMatches(String ifNoneMatch, String etag) {
        for (String tag : ifNoneMatch.split(",")) {
            String t = tag.strip();
            if (t.startsWith("W/")) {
                t = t.substring(2);
            }
            if (t.equals("*") || t.equals(etag)) {
                return true;
            }
        }
        return false;
    }

    // ---- shared ----

    private static Cid parseCid(String text) {
        try {
            return Cid.parse(text);
        } catch (CidFormatException e) {
            throw new Refusal(400, "invalid CID: " + e.getMessage());
        }
    }

    /** The block's bytes, checked against its CID: a block that does not match is never served. */
    private byte[] verifiedBlock(Cid cid) {
        Optional<byte[]> found;
        try {
            found = store.get(cid);
        } catch (IOException e) {
            LOG.warn("reading block {} failed", cid, e);
            throw new Refusal(500, INTERNAL);
        }
        if (found.isEmpty()) {
            throw notFound(cid);
        }
        byte[] block = found.get();
        if (!cid.matches(block)) {
            LOG.warn("block {} on disk no longer matches its CID ({} bytes read); not served", cid, block.length);
            throw new Refusal(500, CORRUPT);
        }
        return block;
    }

    private static Refusal notFound(Cid cid) {
        return new Refusal(404, "block was not found locally: ipld: could not find " + cid);
    }

    /** An error answer: Kubo's JSON error on the RPC API, plain text on the gateway, nothing but the status on HEAD. */
    private static void refuse(Context ctx, int status, String message) {
        drainBody(ctx);
        ctx.status(status);
        ctx.header("X-Content-Type-Options", "nosniff");
        if (ctx.method() == HandlerType.HEAD) {
            ctx.result("");
            return;
        }
        if (ctx.path().startsWith(RPC_PREFIX)) {
            ctx.contentType("application/json");
            ctx.result(JSON.createObjectNode()
                    .put("Message", message)
                    .put("Code", status >= 400 && status < 500 && status != 404 ? ERR_CLIENT : ERR_NORMAL)
                    .put("Type", "error") + "\n");
        } else {
            ctx.contentType("text/plain; charset=utf-8");
            ctx.result(message + "\n");
        }
    }

    /**
     * Reads what is left of a POST's body, up to the largest upload this gateway takes, before a refusal is sent. Jetty
     * does not wait for an unread chunked body: it answers and closes, the client's next bytes draw a TCP reset, and
     * the client may see that instead of the refusal (the SDK's uploads are chunked).
     */
    private static void drainBody(Context ctx) {
        if (ctx.method() != HandlerType.POST) {
            return;
        }
        byte[] buf = new byte[8192];
        long left = ChunkedFile.MAX_BLOCK + MULTIPART_SLACK;
        try {
            java.io.InputStream in = ctx.req().getInputStream();
            int n;
            while (left > 0 && (n = in.read(buf, 0, (int) Math.min(buf.length, left))) > 0) {
                left -= n;
            }
        } catch (IOException | RuntimeException e) {
            // already read (a parsed upload), or the client is gone: answer anyway
        }
    }

    /** An expected refusal inside a handler; {@link #refuse} renders it. */
    private static final class Refusal extends RuntimeException {
        private static final long serialVersionUID = 1L;

        final int status;

        Refusal(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }
}
