package cloister.node.api;

import cloister.chain.ChainView;
import cloister.chain.runtime.computation.Computation;
import cloister.chain.runtime.computation.Miner;
import cloister.chain.runtime.stakepool.StakePools;
import cloister.chain.store.StateReader;
import cloister.crypto.AccountId;
import cloister.proto.WorkerId;
import io.javalin.http.Context;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The read-only mining endpoints under {@code /v1/mining} and {@code /v1/pools}. Starting, stopping, pools,
 * delegation and withdrawal are signed transactions sent to {@code POST /v1/transactions}, like every other call.
 * Unknown workers and pools are 404 with the chain's words, {@code UNKNOWN_WORKER} and {@code UNKNOWN_POOL}.
 */
final class MiningApi {
    /** Default and largest {@code ?limit=} of a worker's history (entries). */
    static final int DEFAULT_HISTORY = 200;
    static final int MAX_HISTORY = 2000;
    /** Default and largest {@code ?blocks=} of a worker's history: how many blocks back from the head are scanned. */
    static final long DEFAULT_SCAN = 5000;
    static final long MAX_SCAN = 50_000;
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,18}");

    private final ChainView view;

    MiningApi(ChainView view) {
        this.view = view;
    }

    List<ApiRoute> routes() {
        return List.of(
                ApiRoute.get("/v1/mining", "Mining: every constant of the economics (MiningConfig) and the totals — Σshare of idle workers,"
                        + " workers computing, budget issued and rewards paid so far", ctx -> {
                            long head = view.head().height();
                            ApiHandlers.json(ctx, MiningViews.summary(view.state(), head));
                        }),
                ApiRoute.get("/v1/mining/workers", "Every registered worker's mining record: pool, state, P and P_t, V now and initial V,"
                        + " stake and the minimum stake for its P, share, rewards, heartbeats, outstanding challenge, cooldown", ctx -> {
                            long head = view.head().height();
                            ApiHandlers.json(ctx, MiningViews.workers(view.state(), head));
                        }),
                ApiRoute.get("/v1/mining/workers/{id}", "One worker's mining record (64-digit hex worker id)", this::worker),
                ApiRoute.get("/v1/mining/workers/{id}/history", "A worker's history for a dashboard, rebuilt from the chain's events"
                        + " (benchmarks, start, rewards with V after payout, unresponsive/recovered, stop, reclaim, storage rewards):"
                        + " entries {height, event, state, v, p, rewardsTotal, fields}, oldest first. Only the newest ?limit=N entries"
                        + " (default " + DEFAULT_HISTORY + ", at most " + MAX_HISTORY + ") found in the last ?blocks=B blocks (default "
                        + DEFAULT_SCAN + ", at most " + MAX_SCAN + "); scannedFrom and truncated say how far it looked", this::history),
                ApiRoute.get("/v1/pools", "Every stake pool: owner, commission, total/free/locked stake, shares and share price,"
                        + " workers and their states, withdrawal queue", ctx -> {
                            long head = view.head().height();
                            ApiHandlers.json(ctx, MiningViews.pools(view.state(), head));
                        }),
                ApiRoute.get("/v1/pools/{id}", "One stake pool by number", this::pool),
                ApiRoute.get("/v1/pools/{id}/delegators/{account}", "An account's position in a pool: shares, their value now,"
                        + " shares queued for withdrawal", this::delegator));
    }

    private void worker(Context ctx) {
        WorkerId id = workerId(ctx);
        StateReader s = view.state();
        long head = view.head().height();
        Miner m = miner(s, id);
        ApiHandlers.json(ctx, MiningViews.miner(s, Computation.config(s), Computation.totals(s), head, m));
    }

    private void history(Context ctx) {
        WorkerId id = workerId(ctx);
        StateReader s = view.state();
        long head = view.head().height();
        Miner m = miner(s, id);
        int limit = (int) query(ctx, "limit", DEFAULT_HISTORY, MAX_HISTORY);
        long blocks = query(ctx, "blocks", DEFAULT_SCAN, MAX_SCAN);
        List<MiningViews.Found> found = MiningViews.scan(h -> view.events(h).orElse(List.of()), head, id, limit, blocks);
        boolean truncated = found.size() == limit;
        long scannedFrom = truncated ? found.get(found.size() - 1).height() : Math.max(0, head - blocks + 1);
        ApiHandlers.json(ctx, MiningViews.history(m, head, found, scannedFrom, truncated));
    }

    private void pool(Context ctx) {
        StateReader s = view.state();
        StakePools.Pool p = pool(s, ctx.pathParam("id"));
        ApiHandlers.json(ctx, MiningViews.pool(s, Computation.config(s), view.head().height(), p));
    }

    private void delegator(Context ctx) {
        StateReader s = view.state();
        StakePools.Pool p = pool(s, ctx.pathParam("id"));
        String text = ctx.pathParam("account");
        AccountId who;
        try {
            who = AccountId.parse(text);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("'" + ApiHandlers.shorten(text) + "' is not an account address: " + e.getMessage());
        }
        ApiHandlers.json(ctx, MiningViews.delegator(s, p, who));
    }

    private static WorkerId workerId(Context ctx) {
        String text = ctx.pathParam("id");
        try {
            return WorkerId.parse(text);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("'" + ApiHandlers.shorten(text) + "' is not a worker id (64 hex digits)");
        }
    }

    private static Miner miner(StateReader s, WorkerId id) {
        return Computation.miner(s, id).orElseThrow(() -> new ApiError(404, "UNKNOWN_WORKER", "worker " + id.hex() + " is not registered"));
    }

    private static StakePools.Pool pool(StateReader s, String text) {
        if (!DIGITS.matcher(text).matches()) {
            throw ApiError.badRequest("'" + ApiHandlers.shorten(text) + "' is not a pool number");
        }
        long id = Long.parseLong(text);
        return StakePools.pool(s, id).orElseThrow(() -> new ApiError(404, "UNKNOWN_POOL", "no pool " + id
                + " (there " + (StakePools.poolCount(s) == 1 ? "is 1 pool" : "are " + StakePools.poolCount(s) + " pools") + ")"));
    }

    private static long query(Context ctx, String param, long fallback, long max) {
        String text = ctx.queryParam(param);
        if (text == null) {
            return fallback;
        }
        if (!DIGITS.matcher(text).matches() || Long.parseLong(text) < 1 || Long.parseLong(text) > max) {
            throw ApiError.badRequest("?" + param + "= is 1.." + max);
        }
        return Long.parseLong(text);
    }
}
