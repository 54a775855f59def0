package cloister.node.devnet;

import cloister.node.api.ApiRoute;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.function.Supplier;

/**
 * Devnet-only API routes that act on the embedded network: list the storage providers, stop one (as if its machine
 * went down) and start it again. Served only by {@code cloister devnet} (a real node has no such routes), on the
 * API's loopback address.
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
                                notFound(ctx, name, n);
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
                                notFound(ctx, name, n);
                                return;
                            }
                            boolean changed;
                            try {
                                changed = n.startProvider(name);
                            } catch (IOException e) {
                                ctx.status(500).contentType("application/json").result(JSON.writeValueAsString(JSON.createObjectNode()
                                        .put("code", "START_FAILED").put("message", "cannot start " + name + ": " + e.getMessage())));
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

    private static void notFound(io.javalin.http.Context ctx, String name, LocalNetwork n) throws IOException {
        ctx.status(404).contentType("application/json").result(JSON.writeValueAsString(JSON.createObjectNode().put("code", "NOT_FOUND")
                .put("message", "no provider '" + name + "'; the devnet's providers are "
                        + String.join(", ", n.providers().stream().map(LocalNetwork.Provider::name).toList()))));
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
}
