package cloister.node.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/** Builds the OpenAPI 3.1 document from the route table, so it lists exactly what the server registers. */
final class OpenApiDocument {
    private OpenApiDocument() {}

    /** @param selfPath the document's own path, added to the list (it is registered after the document is built) */
    static String generate(List<ApiRoute> routes, String selfPath) {
        List<ApiRoute> all = new ArrayList<>(routes);
        all.add(ApiRoute.get(selfPath, "This OpenAPI 3.1 document, generated from the server's route table", ctx -> {}));
        ObjectNode doc = JsonViews.JSON.createObjectNode();
        doc.put("openapi", "3.1.0");
        doc.putObject("info").put("title", "Cloister node API").put("version", "v1")
                .put("description", "Amounts are strings of base units (1 CLO = 10^9 units) with a formatted *CLO twin; "
                        + "hashes are hex; accounts are clo1 addresses. Errors are {code, message}.");
        doc.putArray("servers").addObject().put("url", "/");
        ObjectNode paths = doc.putObject("paths");
        for (ApiRoute r : all) {
            ObjectNode path = paths.has(r.path()) ? (ObjectNode) paths.get(r.path()) : paths.putObject(r.path());
            ObjectNode op = path.putObject(r.method().toLowerCase(java.util.Locale.ROOT));
            op.put("summary", r.summary());
            op.put("operationId", operationId(r));
            if (!r.pathParams().isEmpty()) {
                ArrayNode params = op.putArray("parameters");
                for (String p : r.pathParams()) {
                    params.addObject().put("name", p).put("in", "path").put("required", true)
                            .putObject("schema").put("type", "string");
                }
            }
            if (r.requestSchema() != null) {
                ObjectNode body = op.putObject("requestBody").put("required", true).put("description", r.requestSchema());
                body.putObject("content").putObject("application/json").putObject("schema").put("type", "object");
            }
            ObjectNode responses = op.putObject("responses");
            ObjectNode ok = responses.putObject(Integer.toString(r.successStatus())).put("description", "success");
            ObjectNode okSchema = ok.putObject("content").putObject(r.produces()).putObject("schema");
            okSchema.put("type", r.produces().equals("application/json") ? "object" : "string");
            ObjectNode err = responses.putObject("default").put("description", "an error {code, message}");
            err.putObject("content").putObject("application/json").putObject("schema").put("$ref", "#/components/schemas/Error");
        }
        ObjectNode error = doc.putObject("components").putObject("schemas").putObject("Error");
        error.put("type", "object");
        error.putArray("required").add("code").add("message");
        ObjectNode props = error.putObject("properties");
        props.putObject("code").put("type", "string").put("description", "NOT_FOUND, BAD_REQUEST, INTERNAL, TOO_LARGE, "
                + "UNKNOWN_DATASET / UNKNOWN_JOB / UNKNOWN_WORKER / UNKNOWN_POOL (the chain's words), or a transaction rejection word such as BAD_SIGNATURE");
        props.putObject("message").put("type", "string");
        return doc.toPrettyString();
    }

    private static String operationId(ApiRoute r) {
        StringBuilder sb = new StringBuilder(r.method().toLowerCase(java.util.Locale.ROOT));
        for (String part : r.path().split("[/{}.]+")) {
            if (!part.isEmpty()) {
                sb.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
            }
        }
        return sb.toString();
    }
}
