package cloister.node.api;

import cloister.chain.ChainView;
import cloister.chain.runtime.datamarket.DataMarket;
import cloister.chain.store.StateReader;
import cloister.common.Hash;
import cloister.crypto.AccountId;
import cloister.proto.DataMarketCall;
import io.javalin.http.Context;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The read-only W3A endpoints under {@code /v1/market}. Writes (datasets, listings, consent, jobs) are signed
 * transactions sent to {@code POST /v1/transactions}, like every other call.
 */
final class MarketApi {
    /** Default and largest {@code ?limit=} of the dataset and job lists. */
    static final int DEFAULT_LIMIT = 1000;
    static final int MAX_LIMIT = 10_000;
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,18}");
    private static final Pattern HASH_HEX = Pattern.compile("(0x)?[0-9a-fA-F]{64}");

    private final ChainView view;

    MarketApi(ChainView view) {
        this.view = view;
    }

    List<ApiRoute> routes() {
        return List.of(
                ApiRoute.get("/v1/market/datasets", "W3A datasets' public metadata: ?owner=ADDRESS, ?name=TEXT (exact), ?schema=HASH, "
                        + "?purpose=WORD (listed and accepting it), ?listed=true, ?q=TEXT (in name or description), ?limit=N", this::datasets),
                ApiRoute.get("/v1/market/datasets/{id}", "One dataset: schema, rows, batches (file CID, rows, size; the data key is escrowed, "
                        + "never shown), listing with prices, purposes, k and ε, grants, policy, uses, earnings, deletion and its receipt",
                        this::dataset),
                ApiRoute.get("/v1/market/jobs", "The public audit log of W3A jobs, newest first: ?buyer=ADDRESS, ?state=awaiting_consent|running|done|"
                        + "failed|cancelled, ?owner=ADDRESS (jobs awaiting that owner's decision), ?limit=N", this::jobs),
                ApiRoute.get("/v1/market/jobs/{id}", "One job: buyer, purpose, SQL and its hash, datasets and their consent, state, worker, "
                        + "ε, payments, result hash and the sealed result (hex; only the buyer's key opens it)", this::job),
                ApiRoute.get("/v1/market/earnings/{address}", "What an owner has earned from their datasets, in all and per dataset",
                        this::earnings),
                ApiRoute.get("/v1/market/purposes", "The purposes a job states and a listing, grant or policy accepts (bit index, mask, word)",
                        ctx -> ApiHandlers.json(ctx, MarketViews.purposes())));
    }

    private void datasets(Context ctx) {
        Optional<AccountId> owner = account(ctx, "owner");
        Optional<String> name = Optional.ofNullable(ctx.queryParam("name"));
        Optional<Hash> schema = Optional.empty();
        String schemaText = ctx.queryParam("schema");
        if (schemaText != null) {
            if (!HASH_HEX.matcher(schemaText).matches()) {
                throw ApiError.badRequest("?schema= is a schema hash (64 hex digits); '" + ApiHandlers.shorten(schemaText) + "' is not");
            }
            schema = Optional.of(Hash.fromHex(schemaText.startsWith("0x") ? schemaText.substring(2) : schemaText));
        }
        Optional<Integer> purpose = Optional.empty();
        String purposeText = ctx.queryParam("purpose");
        if (purposeText != null) {
            int i = DataMarketCall.PURPOSES.indexOf(purposeText.strip());
            if (i < 0) {
                throw ApiError.badRequest("?purpose= is one of " + String.join(", ", DataMarketCall.PURPOSES) + "; '"
                        + ApiHandlers.shorten(purposeText) + "' is not");
            }
            purpose = Optional.of(i);
        }
        String listed = ctx.queryParam("listed");
        if (listed != null && !listed.equals("true") && !listed.equals("false")) {
            throw ApiError.badRequest("?listed= is true or false");
        }
        Optional<String> q = Optional.ofNullable(ctx.queryParam("q")).filter(t -> !t.isBlank()).map(String::strip);
        MarketViews.DatasetFilter filter = new MarketViews.DatasetFilter(owner, name, schema, purpose, "true".equals(listed), q);
        ApiHandlers.json(ctx, MarketViews.datasets(view.state(), filter, limit(ctx), view.head().height()));
    }

    private void dataset(Context ctx) {
        long id = number(ctx.pathParam("id"), "dataset");
        long head = view.head().height();
        DataMarket.Dataset d = DataMarket.dataset(view.state(), id).orElseThrow(() -> new ApiError(404, "UNKNOWN_DATASET", "no dataset " + id));
        ApiHandlers.json(ctx, MarketViews.dataset(d, true, head));
    }

    private void jobs(Context ctx) {
        Optional<DataMarket.JobState> state = Optional.empty();
        String stateText = ctx.queryParam("state");
        if (stateText != null) {
            state = MarketViews.parseState(stateText);
            if (state.isEmpty()) {
                throw ApiError.badRequest("?state= is one of awaiting_consent, running, done, failed, cancelled; '"
                        + ApiHandlers.shorten(stateText) + "' is not");
            }
        }
        MarketViews.JobFilter filter = new MarketViews.JobFilter(account(ctx, "buyer"), state, account(ctx, "owner"));
        ApiHandlers.json(ctx, MarketViews.jobs(view.state(), filter, limit(ctx)));
    }

    private void job(Context ctx) {
        long id = number(ctx.pathParam("id"), "job");
        StateReader s = view.state();
        DataMarket.Job j = DataMarket.job(s, id).orElseThrow(() -> new ApiError(404, "UNKNOWN_JOB", "no job " + id));
        ApiHandlers.json(ctx, MarketViews.job(s, j, true));
    }

    private void earnings(Context ctx) {
        String text = ctx.pathParam("address");
        AccountId who;
        try {
            who = AccountId.parse(text);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("'" + ApiHandlers.shorten(text) + "' is not an account address: " + e.getMessage());
        }
        ApiHandlers.json(ctx, MarketViews.earnings(view.state(), who));
    }

    private static Optional<AccountId> account(Context ctx, String param) {
        String text = ctx.queryParam(param);
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(AccountId.parse(text.strip()));
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("?" + param + "= is an account address; '" + ApiHandlers.shorten(text) + "' is not");
        }
    }

    private static int limit(Context ctx) {
        String text = ctx.queryParam("limit");
        if (text == null) {
            return DEFAULT_LIMIT;
        }
        if (!DIGITS.matcher(text).matches() || Long.parseLong(text) < 1 || Long.parseLong(text) > MAX_LIMIT) {
            throw ApiError.badRequest("?limit= is 1.." + MAX_LIMIT);
        }
        return Integer.parseInt(text);
    }

    private static long number(String text, String what) {
        if (!DIGITS.matcher(text).matches()) {
            throw ApiError.badRequest("'" + ApiHandlers.shorten(text) + "' is not a " + what + " number");
        }
        return Long.parseLong(text);
    }
}
