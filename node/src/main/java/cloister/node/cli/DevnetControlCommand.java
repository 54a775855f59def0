package cloister.node.cli;

import cloister.sdk.CloisterApiException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Base of the devnet control commands ({@code storage provider ls|kill|revive}, {@code worker ls|kill|revive}): one
 * GET or POST to the control routes only {@code cloister devnet} serves ({@code /v1/devnet/...}).
 */
abstract class DevnetControlCommand extends CliCommand {
    JsonNode call(String method, String path) throws IOException, InterruptedException {
        return call(client().baseUrl(), method, path);
    }

    /**
     * One GET or POST to the devnet control route {@code path} of the node at {@code base}; the route's JSON answer, or
     * {@code NODE_UNREACHABLE}, {@code NOT_A_DEVNET} or the route's own error as a {@link CloisterApiException}.
     */
    static JsonNode call(String base, String method, String path) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        HttpResponse<String> r;
        try {
            r = http.send(method.equals("POST") ? b.POST(HttpRequest.BodyPublishers.noBody()).build() : b.GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (java.net.ConnectException e) {
            throw new CloisterApiException("NODE_UNREACHABLE", "no Cloister node at " + base + "; start one with `./cloister devnet`");
        }
        JsonNode n;
        try {
            n = JSON.readTree(r.body());
        } catch (IOException e) {
            n = JSON.createObjectNode();
        }
        // A node without the control routes answers 404 "no such endpoint" (not the routes' own NOT_FOUND for a name).
        if (r.statusCode() == 404 && (!n.has("code") || n.path("message").asText().startsWith("no such endpoint"))) {
            throw new CloisterApiException("NOT_A_DEVNET", "the node at " + base + " is not a devnet: it has no embedded workers or providers");
        }
        if (r.statusCode() / 100 != 2) {
            throw new CloisterApiException(n.path("code").asText("HTTP_" + r.statusCode()), n.path("message").asText());
        }
        return n;
    }

    /**
     * Stops or starts the embedded {@code kind} ({@code workers}, {@code providers}) named {@code name} and says whether
     * that changed anything.
     */
    int setRunning(String kind, String name, boolean run) throws IOException, InterruptedException {
        JsonNode n = call("POST", "/v1/devnet/" + kind + "/" + name + (run ? "/start" : "/stop"));
        boolean changed = n.path("changed").asBoolean();
        out().println(name + (run ? (changed ? " started" : " was already running") : (changed ? " stopped" : " was already stopped")));
        return 0;
    }
}
