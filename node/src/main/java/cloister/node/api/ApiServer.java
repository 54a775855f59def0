package cloister.node.api;

import cloister.chain.ChainView;
import cloister.chain.TxSubmitter;
import cloister.proto.BlockHeader;
import io.javalin.Javalin;
import io.javalin.http.HttpResponseException;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP JSON API over a running chain (Javalin on Jetty). Every route comes from {@link #routes}: the server
 * registers that table and {@code /openapi.json} is generated from it. Errors are always {@code {code, message}}:
 * {@code NOT_FOUND}, {@code BAD_REQUEST}, a {@code TxRejection} word, {@code TOO_LARGE}, or {@code INTERNAL} (the
 * details of which are logged here, never sent).
 */
public final class ApiServer implements AutoCloseable {
    /** Request bodies above this are refused (a batch of 5000 transactions is well under it). */
    public static final long MAX_REQUEST_BYTES = 8L * 1024 * 1024;
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 9933;

    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

    private final Javalin app;
    private final HeadBroadcaster heads;
    private final List<ApiRoute> routes;

    private ApiServer(Javalin app, HeadBroadcaster heads, List<ApiRoute> routes) {
        this.app = app;
        this.heads = heads;
        this.routes = routes;
    }

    /** Starts serving on {@code host:port} (port 0 picks a free one; see {@link #port()}). */
    public static ApiServer start(ChainView view, TxSubmitter submitter, String host, int port) {
        return start(view, submitter, host, port, java.util.Optional.empty());
    }

    /** @param stagingGateway the URL of this node's staging block gateway (where clients put a file's blocks), if it runs one */
    public static ApiServer start(ChainView view, TxSubmitter submitter, String host, int port, java.util.Optional<String> stagingGateway) {
        return start(view, submitter, host, port, stagingGateway, List.of());
    }

    /** @param extra more routes (the devnet's control routes): served, not listed in {@code /openapi.json} */
    public static ApiServer start(ChainView view, TxSubmitter submitter, String host, int port, java.util.Optional<String> stagingGateway,
                                  List<ApiRoute> extra) {
        Objects.requireNonNull(view, "view");
        Objects.requireNonNull(submitter, "submitter");
        HeadBroadcaster heads = HeadBroadcaster.start(view);
        ApiHandlers handlers = new ApiHandlers(view, submitter, heads, stagingGateway);
        List<ApiRoute> table = new java.util.ArrayList<>(extra);
        table.addAll(0, handlers.routes());
        Javalin app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.maxRequestSize = MAX_REQUEST_BYTES;
            for (ApiRoute r : table) {
                switch (r.method()) {
                    case "GET" -> config.routes.get(r.path(), r.handler());
                    case "POST" -> config.routes.post(r.path(), r.handler());
                    default -> throw new IllegalStateException("unsupported method " + r.method());
                }
            }
            config.routes.exception(ApiError.class, (e, ctx) -> {
                ctx.status(e.status).contentType("application/json").result(JsonViews.error(e.code, e.getMessage()).toString());
            });
            config.routes.exception(HttpResponseException.class, (e, ctx) -> {
                String code = switch (e.getStatus()) {
                    case 404 -> "NOT_FOUND";
                    case 405 -> "METHOD_NOT_ALLOWED";
                    case 413 -> "TOO_LARGE";
                    case 400 -> "BAD_REQUEST";
                    default -> e.getStatus() >= 500 ? "INTERNAL" : "BAD_REQUEST";
                };
                String message = switch (e.getStatus()) {
                    case 404 -> "no such endpoint: " + ctx.method() + " " + ctx.path() + " (see /openapi.json)";
                    case 413 -> "request body exceeds " + MAX_REQUEST_BYTES + " bytes";
                    default -> e.getMessage();
                };
                ctx.status(e.getStatus()).contentType("application/json").result(JsonViews.error(code, message).toString());
            });
            config.routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("internal error on {} {}", ctx.method(), ctx.path(), e);
                ctx.status(500).contentType("application/json")
                        .result(JsonViews.error("INTERNAL", "internal error; see the node's log").toString());
            });
        });
        try {
            app.start(host, port);
        } catch (RuntimeException e) {
            heads.close();
            throw e;
        }
        return new ApiServer(app, heads, table);
    }

    public int port() {
        return app.port();
    }

    /** The route table this server registered (the source of {@code /openapi.json}). */
    public List<ApiRoute> routes() {
        return routes;
    }

    /** Method and path of every HTTP endpoint Javalin actually serves, e.g. {@code GET /v1/head}. */
    public List<String> registeredEndpoints() {
        return app.unsafe.internalRouter.allHttpHandlers().stream()
                .map(p -> p.endpoint)
                .map(e -> e.method.name() + " " + e.path)
                .toList();
    }

    @Override
    public void close() {
        heads.close();
        app.stop();
    }

    /** For the SSE stream: a JSON head as pushed to subscribers. */
    static String headJson(ChainView view, BlockHeader h) {
        int txCount = view.block(h.hash()).map(b -> b.transactions().size()).orElse(0);
        return JsonViews.header(h, txCount).toString();
    }
}
