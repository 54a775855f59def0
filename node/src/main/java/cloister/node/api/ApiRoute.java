package cloister.node.api;

import io.javalin.http.Handler;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One entry of the API's route table. The server registers exactly these routes and {@code /openapi.json} is
 * generated from the same list, so the document cannot miss an endpoint.
 *
 * @param method      {@code GET} or {@code POST}
 * @param path        Javalin/OpenAPI path template, e.g. {@code /v1/blocks/{heightOrHash}}
 * @param produces    the success content type ({@code application/json}, {@code text/event-stream}, {@code text/html})
 * @param successStatus HTTP status of a success
 * @param requestSchema for POST: a one-line description of the JSON body, else null
 */
public record ApiRoute(String method, String path, String summary, String produces, int successStatus,
                       String requestSchema, Handler handler) {
    private static final Pattern PARAM = Pattern.compile("\\{([A-Za-z]+)}");

    public static ApiRoute get(String path, String summary, Handler handler) {
        return new ApiRoute("GET", path, summary, "application/json", 200, null, handler);
    }

    public static ApiRoute post(String path, String summary, int status, String requestSchema, Handler handler) {
        return new ApiRoute("POST", path, summary, "application/json", status, requestSchema, handler);
    }

    ApiRoute producing(String contentType) {
        return new ApiRoute(method, path, summary, contentType, successStatus, requestSchema, handler);
    }

    /** The names of the path parameters, in order. */
    public List<String> pathParams() {
        List<String> out = new ArrayList<>();
        Matcher m = PARAM.matcher(path);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
