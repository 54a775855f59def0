package cloister.worker.host;

import cloister.common.Hash;
import cloister.proto.envelope.QueryEnvelope;
import cloister.tee.Platform;
import cloister.worker.CommandOutcome;
import cloister.worker.EnclaveException;
import cloister.worker.EnclaveStatus;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's HTTP endpoint (Javalin): {@code POST /v1/query} (an encrypted query in, the encrypted, signed
 * response out, both {@code application/octet-stream}), {@code GET /v1/status} (JSON: public keys, platform — with
 * the sim warning for {@code sim} —, sync position, roles, hosted contracts) and {@code GET /v1/commands/{txHash}}
 * (a command's outcome). Errors are JSON {@code {code, message}}.
 */
final class QueryServer implements AutoCloseable {
    static final long MAX_REQUEST_BYTES = QueryEnvelope.MAX_QUERY + 4096L;
    private static final Logger LOG = LoggerFactory.getLogger(QueryServer.class);
    private final Javalin app;

    private QueryServer(Javalin app) {
        this.app = app;
    }

    static QueryServer start(String host, int port, WorkerHost worker) {
        Javalin app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.maxRequestSize = MAX_REQUEST_BYTES;
            config.routes.post("/v1/query", ctx -> ctx.contentType("application/octet-stream").result(worker.query(ctx.bodyAsBytes())));
            config.routes.get("/v1/status", ctx -> json(ctx, 200, status(worker, worker.status())));
            config.routes.get("/v1/commands/{txHash}", ctx -> command(ctx, worker));
            config.routes.exception(EnclaveException.class, (e, ctx) ->
                    json(ctx, 503, error(e.reason().code(), "the enclave refused the call: " + e.getMessage())));
            config.routes.exception(HttpResponseException.class, (e, ctx) -> json(ctx, e.getStatus(), error(switch (e.getStatus()) {
                case 404 -> "NOT_FOUND";
                case 413 -> "TOO_LARGE";
                case 405 -> "METHOD_NOT_ALLOWED";
                default -> "BAD_REQUEST";
            }, e.getStatus() == 404 ? "no such endpoint: " + ctx.method() + " " + ctx.path() : e.getMessage())));
            config.routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("internal error on {} {}: {}", ctx.method(), ctx.path(), e.getClass().getName());
                json(ctx, 500, error("INTERNAL", "internal error; see the worker's log"));
            });
        });
        app.start(host, port);
        return new QueryServer(app);
    }

    int port() {
        return app.port();
    }

    private static void command(Context ctx, WorkerHost worker) {
        String text = ctx.pathParam("txHash");
        Hash hash;
        try {
            hash = Hash.fromHex(text.startsWith("0x") ? text.substring(2) : text);
        } catch (IllegalArgumentException e) {
            json(ctx, 400, error("BAD_REQUEST", "a transaction hash is 64 hex digits"));
            return;
        }
        Optional<CommandOutcome> o = worker.outcome(hash);
        if (o.isEmpty()) {
            json(ctx, 404, error("UNKNOWN_COMMAND", "this worker has no outcome for transaction " + hash.hex()
                    + " (not a command for a contract it runs, or not synced that far yet)"));
            return;
        }
        CommandOutcome c = o.get();
        json(ctx, 200, new Json().field("txHash", c.txHash().hex()).field("contract", c.contract().hex()).field("height", c.height())
                .field("ok", c.ok()).field("code", c.code()).field("message", c.message()).field("gasUsed", c.gasUsed()).toString());
    }

    static String status(WorkerHost worker, EnclaveStatus s) {
        String platform = WorkerHost.platformWord(s.platformCode());
        List<String> roles = new ArrayList<>();
        if (s.gatekeeper()) {
            roles.add(Json.quote("gatekeeper"));
        }
        if (!s.clusters().isEmpty()) {
            roles.add(Json.quote("compute"));
        }
        List<String> contracts = new ArrayList<>();
        for (EnclaveStatus.HostedContract h : s.hosted()) {
            contracts.add(new Json().field("id", h.id().hex()).field("kind", h.kind()).field("cluster", h.cluster())
                    .field("commands", h.commands()).field("stateCommitment", h.stateCommitment().hex()).toString());
        }
        Json j = new Json().field("worker", s.identity().hex()).field("ecdhKey", s.ecdhKey().hex()).field("platform", platform);
        if (s.platformCode() == Platform.SIM.code()) {
            j.field("warning", Platform.SIM_WARNING);
        }
        return j.field("measurement", cloister.common.Hex.encode(s.measurement())).field("genesisHash", s.genesisHash().hex())
                .field("operator", s.operator().address()).field("runtimeVersion", s.runtimeVersion())
                .field("syncedHeight", s.syncedHeight()).field("syncedHash", s.syncedHash().hex()).field("chainHead", worker.chainHead())
                .field("registered", s.registered()).raw("roles", Json.array(roles)).field("masterKeyEpoch", s.masterEpoch())
                .raw("clusters", Json.array(s.clusters().stream().map(String::valueOf).toList()))
                .raw("contracts", Json.array(contracts)).field("pendingEgress", s.pendingEgress()).toString();
    }

    private static String error(String code, String message) {
        return new Json().field("code", code).field("message", message).toString();
    }

    private static void json(Context ctx, int status, String body) {
        ctx.status(status).contentType("application/json").result(body);
    }

    @Override
    public void close() {
        app.stop();
    }
}
