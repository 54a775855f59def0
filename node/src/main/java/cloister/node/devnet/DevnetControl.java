package cloister.node.devnet;

import cloister.node.api.ApiRoute;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.function.Supplier;

/**
 * Devnet-only API routes that act on the embedded network: list the storage providers and the compute workers, stop
 * one (as if its machine went down) and start it again from its disk. Served only by {@code cloister devnet} (a real
 * node has no such routes), on the API's loopback address.
 */
final class DevnetControl {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DevnetControl() {}

    static List<ApiRoute> routes(Supplier<LocalNetwork> net) {
        return List.of(
                ApiRoute.get("/v1/devnet/providers", "Devnet only: the embedded storage providers, running or stopped", ctx -> {
                    ctx.contentType("application/json").result(JSON.writeValueAsString(list(require(net))));
                }),
                ApiRoute.post("/v1/devnet/providers/{name}/stop", "Devnet only: stop an embedded storage provider as if its machine died", 200,
                        null, ctx -> {
                            LocalNetwork n = require(net);
                            String name = ctx.pathParam("name");
                            if (n.provider(name).isEmpty()) {
                                notFound(ctx, "provider", name, n.providers().stream().map(LocalNetwork.Provider::name).toList());
                                return;
                            }
                            boolean changed = n.stopProvider(name);
                            ctx.contentType("application/json").result(JSON.writeValueAsString(JSON.createObjectNode().put("name", name)
                                    .put("running", false).put("changed", changed)));
                        }),
                ApiRoute.post("/v1/devnet/providers/{name}/start", "Devnet only: start a stopped embedded storage provider again", 200,
                        null, ctx -> {
                            LocalNetwork n = require(net);
                            String name = ctx.pathParam("name");
                            if (n.provider(name).isEmpty()) {
                                notFound(ctx, "provider", name, n.providers().stream().map(LocalNetwork.Provider::name).toList());
                                return;
                            }
                            boolean changed;
                            try {
                                changed = n.startProvider(name);
                            } catch (IOException e) {
                                startFailed(ctx, name, e);
                                return;
                            }
                            ctx.contentType("application/json").result(JSON.writeValueAsString(JSON.createObjectNode().put("name", name)
                                    .put("running", true).put("changed", changed)));
                        }),
                ApiRoute.get("/v1/devnet/workers", "Devnet only: the embedded compute workers, running or stopped", ctx -> {
                    ctx.contentType("application/json").result(JSON.writeValueAsString(workers(require(net))));
                }),
                ApiRoute.post("/v1/devnet/workers/{name}/stop", "Devnet only: stop an embedded compute worker as if its machine died", 200,
                        null, ctx -> {
                            LocalNetwork n = require(net);
                            String name = ctx.pathParam("name");
                            if (n.worker(name).isEmpty()) {
                                notFound(ctx, "worker", name, n.workerNames());
                                return;
                            }
                            boolean changed = n.stopWorker(name);
                            ctx.contentType("application/json").result(JSON.writeValueAsString(JSON.createObjectNode().put("name", name)
                                    .put("running", false).put("changed", changed)));
                        }),
                ApiRoute.post("/v1/devnet/workers/{name}/start", "Devnet only: start a stopped embedded compute worker again from its sealed state",
                        200, null, ctx -> {
                            LocalNetwork n = require(net);
                            String name = ctx.pathParam("name");
                            if (n.worker(name).isEmpty()) {
                                notFound(ctx, "worker", name, n.workerNames());
                                return;
                            }
                            boolean changed;
                            try {
                                changed = n.startWorker(name);
                            } catch (IOException e) {
                                startFailed(ctx, name, e);
                                return;
                            }
                            ctx.contentType("application/json").result(JSON.writeValueAsString(JSON.createObjectNode().put("name", name)
                                    .put("running", true).put("changed", changed)));
                        }));
    }

    private static LocalNetwork require(Supplier<LocalNetwork> net) {
        LocalNetwork n = net.get();
        if (n == null) {
            throw new IllegalStateException("the devnet is still starting");
        }
        return n;
    }

    private static void notFound(io.javalin.http.Context ctx, String kind, String name, List<String> names) throws IOException {
        ctx.status(404).contentType("application/json").result(JSON.writeValueAsString(JSON.createObjectNode().put("code", "NOT_FOUND")
                .put("message", "no " + kind + " '" + name + "'; the devnet's " + kind + "s are "
                        + (names.isEmpty() ? "none" : String.join(", ", names)))));
    }

    private static void startFailed(io.javalin.http.Context ctx, String name, IOException e) throws IOException {
        ctx.status(500).contentType("application/json").result(JSON.writeValueAsString(JSON.createObjectNode()
                .put("code", "START_FAILED").put("message", "cannot start " + name + ": " + e.getMessage())));
    }

    static ObjectNode list(LocalNetwork n) {
        ObjectNode o = JSON.createObjectNode();
        ArrayNode a = o.putArray("providers");
        for (LocalNetwork.Provider p : n.providers()) {
            ObjectNode x = a.addObject().put("name", p.name()).put("id", p.id().hex()).put("running", p.running())
                    .put("dedicated", p.dedicated());
            if (p.service() != null) {
                x.put("gateway", p.service().gatewayUrl()).put("blocks", p.service().store().count());
            }
        }
        return o;
    }

    static ObjectNode workers(LocalNetwork n) {
        ObjectNode o = JSON.createObjectNode();
        ArrayNode a = o.putArray("workers");
        for (LocalNetwork.ComputeWorker w : n.computeWorkers()) {
            ObjectNode x = a.addObject().put("name", w.name()).put("id", w.id().hex()).put("running", w.running())
                    .put("provider", n.provider(w.name()).isPresent());
            if (w.running()) {
                x.put("syncedHeight", w.host().syncedHeight()).put("endpoint", "http://127.0.0.1:" + w.host().httpPort());
            }
        }
        return o;
    }
}
