package cloister.chain.runtime.stakepool;

import cloister.chain.runtime.BlockState;
import cloister.chain.runtime.DispatchOutcome;
import cloister.chain.runtime.balances.Balances;
import cloister.chain.runtime.computation.Computation;
import cloister.chain.runtime.registry.Registry;
import cloister.chain.runtime.registry.WorkerRecord;
import cloister.chain.runtime.system.SystemParams;
import cloister.chain.store.StateReader;
import cloister.common.Tokens;
import cloister.crypto.AccountId;
import cloister.crypto.Sha256;
import cloister.proto.CanonicalReader;
import cloister.proto.CanonicalWriter;
import cloister.proto.DispatchError;
import cloister.proto.Event;
import cloister.proto.MiningCall;
import cloister.proto.WorkerId;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code stakepool} runtime module (state prefix 0x07). A miner creates a pool with a commission and adds its
 * workers; anyone delegates stake and receives shares at the pool's share price (stake ÷ shares). The pool's funds sit
 * in the pool's own account (a hash, no key), whose balance always equals the pool's {@code totalStake}: free stake
 * plus the stake locked by its computing or cooling workers. Rewards are minted into it: the owner's commission leaves
 * at once, the rest raises the stake and so the share price. A withdrawal is paid from free stake; what free stake
 * cannot cover waits in a queue (its shares keep earning) and is filled — in order, partly if need be — whenever stake
 * frees up. A withdrawal still waiting after the grace period forces the pool to stop workers until the stake they
 * will free covers the queue.
 *
 * <p>Arithmetic is exact integers: shares for a delegation and units for a withdrawal are both rounded down, so
 * rounding only ever leaves dust in the pool (raising the share price) and no operation can take out more than it
 * put in plus its part of the rewards.
 */
public final class StakePools {
    private static final byte[] NEXT_POOL = {0x07, 0x01};
    private static final byte[] POOL = {0x07, 0x10};
    private static final byte[] SHARES = {0x07, 0x11};
    private static final byte[] GRACE_DUE = {0x07, 0x12};
    private static final byte[] WORKER_POOL = {0x07, 0x13};
    private static final byte[] OWNER_POOLS = {0x07, 0x14};
    /** The longest withdrawal queue a pool keeps (a withdrawal beyond it is refused). */
    public static final int MAX_QUEUE = 256;
    /** The most workers in one pool. */
    public static final int MAX_WORKERS = 1024;

    private StakePools() {}

    /** A queued withdrawal: {@code shares} of {@code who}'s, waiting since block {@code queuedAt}. */
    public record Withdrawal(AccountId who, long shares, long queuedAt) {}

    /** A pool as the chain keeps it. {@code totalStake} = its account's balance = free + locked stake. */
    public record Pool(long id, AccountId owner, int commission, long totalShares, long totalStake, long freeStake,
                       List<WorkerId> workers, List<Withdrawal> queue) {
        public Pool {
            workers = List.copyOf(workers);
            queue = List.copyOf(queue);
        }

        /** The pool's account: holds exactly {@code totalStake}. */
        public AccountId account() {
            return poolAccount(id);
        }

        public long lockedStake() {
            return totalStake - freeStake;
        }

        /** What {@code shares} shares are worth now, rounded down. */
        public long value(long shares) {
            return totalShares == 0 ? 0 : mulDiv(shares, totalStake, totalShares);
        }

        Pool with(long shares, long stake, long free, List<WorkerId> w, List<Withdrawal> q) {
            return new Pool(id, owner, commission, shares, stake, free, w, q);
        }

        byte[] encode() {
            CanonicalWriter w = new CanonicalWriter(128 + 32 * workers.size()).u64(id).account(owner).u32(commission).u64(totalShares)
                    .u64(totalStake).u64(freeStake).u32(workers.size());
            workers.forEach(x -> w.fixed(x.bytes()));
            w.u32(queue.size());
            queue.forEach(q -> w.account(q.who()).u64(q.shares()).u64(q.queuedAt()));
            return w.toByteArray();
        }

        static Pool decode(byte[] v) {
            CanonicalReader r = new CanonicalReader(v);
            long id = r.u64("pool");
            AccountId owner = r.account("owner");
            int commission = r.u32("commission");
            long shares = r.u64("shares");
            long stake = r.u64("stake");
            long free = r.u64("free");
            int n = r.u32("workers");
            List<WorkerId> workers = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                workers.add(WorkerId.of(r.fixed(32, "worker")));
            }
            int q = r.u32("queue");
            List<Withdrawal> queue = new ArrayList<>(q);
            for (int i = 0; i < q; i++) {
                queue.add(new Withdrawal(r.account("who"), r.u64("shares"), r.u64("queued at")));
            }
            r.end("pool");
            return new Pool(id, owner, commission, shares, stake, free, workers, queue);
        }
    }

    /** A pool's account: SHA-256("cloister/pool" ‖ u64 id). Nobody holds its key. */
    public static AccountId poolAccount(long id) {
        return AccountId.of(Sha256.digest(new CanonicalWriter(24).fixed("cloister/pool".getBytes(StandardCharsets.US_ASCII)).u64(id)
                .toByteArray()));
    }

    /** floor(a × b ÷ c) without overflow (c > 0). */
    public static long mulDiv(long a, long b, long c) {
        return BigInteger.valueOf(a).multiply(BigInteger.valueOf(b)).divide(BigInteger.valueOf(c)).longValueExact();
    }

    // ---------------------------------------------------------------- reads

    public static Optional<Pool> pool(StateReader s, long id) {
        byte[] v = s.get(key(POOL, id));
        return v == null ? Optional.empty() : Optional.of(Pool.decode(v));
    }

    /** How many pools exist (their ids are 1..count). */
    public static long poolCount(StateReader s) {
        byte[] v = s.get(NEXT_POOL);
        return v == null ? 0 : new CanonicalReader(v).u64("pools") - 1;
    }

    public static long shares(StateReader s, long pool, AccountId who) {
        byte[] v = s.get(sharesKey(pool, who));
        return v == null ? 0 : new CanonicalReader(v).u64("shares");
    }

    /** The pool a worker belongs to. */
    public static Optional<Long> poolOf(StateReader s, WorkerId worker) {
        byte[] v = s.get(key(WORKER_POOL, worker.bytes()));
        return v == null ? Optional.empty() : Optional.of(new CanonicalReader(v).u64("pool"));
    }

    /** The pools {@code owner} created, in creation order. */
    public static List<Long> poolsOwnedBy(StateReader s, AccountId owner) {
        byte[] v = s.get(key(OWNER_POOLS, owner.bytes()));
        List<Long> out = new ArrayList<>();
        if (v != null) {
            CanonicalReader r = new CanonicalReader(v);
            int n = r.u32("pools");
            for (int i = 0; i < n; i++) {
                out.add(r.u64("pool"));
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- calls

    public static DispatchOutcome dispatch(BlockState s, AccountId sender, MiningCall call) {
        return switch (call) {
            case MiningCall.CreatePool c -> create(s, sender, c.commission());
            case MiningCall.AddWorker a -> addWorker(s, sender, a.pool(), a.worker());
            case MiningCall.Delegate d -> delegate(s, sender, d.pool(), d.amount());
            case MiningCall.Withdraw w -> withdraw(s, sender, w.pool(), w.shares());
            default -> throw new IllegalArgumentException("not a stakepool call: " + call.name());
        };
    }

    private static DispatchOutcome create(BlockState s, AccountId owner, int commission) {
        long id = poolCount(s) + 1;
        s.put(NEXT_POOL, new CanonicalWriter(8).u64(id + 1).toByteArray());
        put(s, new Pool(id, owner, commission, 0, 0, 0, List.of(), List.of()));
        List<Long> owned = new ArrayList<>(poolsOwnedBy(s, owner));
        owned.add(id);
        CanonicalWriter w = new CanonicalWriter(4 + 8 * owned.size()).u32(owned.size());
        owned.forEach(w::u64);
        s.put(key(OWNER_POOLS, owner.bytes()), w.toByteArray());
        s.emit(new Event.PoolCreated(id, owner, commission));
        return DispatchOutcome.OK;
    }

    private static DispatchOutcome addWorker(BlockState s, AccountId sender, long poolId, WorkerId worker) {
        Optional<Pool> found = pool(s, poolId);
        if (found.isEmpty()) {
            return DispatchOutcome.fail(DispatchError.UNKNOWN_POOL, "no pool " + poolId);
        }
        Pool p = found.get();
        if (!p.owner().equals(sender)) {
            return DispatchOutcome.fail(DispatchError.NOT_OWNER, "pool " + poolId + " is owned by " + p.owner().address());
        }
        Optional<WorkerRecord> w = Registry.worker(s, worker);
        if (w.isEmpty()) {
            return DispatchOutcome.fail(DispatchError.UNKNOWN_WORKER, "worker " + worker.hex() + " is not registered");
        }
        if (!w.get().info().operator().equals(sender)) {
            return DispatchOutcome.fail(DispatchError.BAD_ORIGIN, "only the worker's operator " + w.get().info().operator().address()
                    + " may add it to a pool");
        }
        Optional<Long> current = poolOf(s, worker);
        if (current.isPresent()) {
            return DispatchOutcome.fail(DispatchError.DUPLICATE, "worker " + worker.hex() + " is already in pool " + current.get());
        }
        if (p.workers().size() >= MAX_WORKERS) {
            return DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "a pool has at most " + MAX_WORKERS + " workers");
        }
        List<WorkerId> workers = new ArrayList<>(p.workers());
        workers.add(worker);
        put(s, p.with(p.totalShares(), p.totalStake(), p.freeStake(), workers, p.queue()));
        s.put(key(WORKER_POOL, worker.bytes()), new CanonicalWriter(8).u64(poolId).toByteArray());
        s.emit(new Event.PoolWorkerAdded(poolId, worker));
        return DispatchOutcome.OK;
    }

    private static DispatchOutcome delegate(BlockState s, AccountId who, long poolId, long amount) {
        Optional<Pool> found = pool(s, poolId);
        if (found.isEmpty()) {
            return DispatchOutcome.fail(DispatchError.UNKNOWN_POOL, "no pool " + poolId);
        }
        Pool p = found.get();
        if (amount <= 0) {
            return DispatchOutcome.fail(DispatchError.INVALID_AMOUNT, "a delegation must be positive");
        }
        if (p.totalShares() > 0 && p.totalStake() == 0) {
            return DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "pool " + poolId + " has lost all its stake: its shares are worth nothing");
        }
        long newShares = p.totalShares() == 0 ? amount : mulDiv(amount, p.totalShares(), p.totalStake());
        if (newShares == 0) {
            return DispatchOutcome.fail(DispatchError.INVALID_AMOUNT, Tokens.display(amount) + " buys less than one share of pool " + poolId);
        }
        DispatchOutcome paid = Balances.move(s, who, p.account(), amount);
        if (!paid.ok()) {
            return paid;
        }
        try {
            p = p.with(Math.addExact(p.totalShares(), newShares), Math.addExact(p.totalStake(), amount), Math.addExact(p.freeStake(), amount),
                    p.workers(), p.queue());
        } catch (ArithmeticException e) {
            return DispatchOutcome.fail(DispatchError.OVERFLOW, "the pool's stake would overflow");
        }
        setShares(s, poolId, who, shares(s, poolId, who) + newShares);
        s.emit(new Event.Delegated(poolId, who, amount, newShares));
        put(s, fillQueue(s, p));
        return DispatchOutcome.OK;
    }

    private static DispatchOutcome withdraw(BlockState s, AccountId who, long poolId, long shares) {
        Optional<Pool> found = pool(s, poolId);
        if (found.isEmpty()) {
            return DispatchOutcome.fail(DispatchError.UNKNOWN_POOL, "no pool " + poolId);
        }
        Pool p = found.get();
        if (shares <= 0) {
            return DispatchOutcome.fail(DispatchError.INVALID_AMOUNT, "withdraw a positive number of shares");
        }
        long owned = shares(s, poolId, who);
        long queued = p.queue().stream().filter(q -> q.who().equals(who)).mapToLong(Withdrawal::shares).sum();
        if (shares > owned - queued) {
            return DispatchOutcome.fail(DispatchError.INSUFFICIENT_SHARES, "you hold " + owned + " shares of pool " + poolId
                    + (queued > 0 ? " (" + queued + " already queued for withdrawal)" : "") + ", cannot withdraw " + shares);
        }
        if (p.queue().size() >= MAX_QUEUE) {
            return DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "pool " + poolId + "'s withdrawal queue is full; try again later");
        }
        List<Withdrawal> queue = new ArrayList<>(p.queue());
        queue.add(new Withdrawal(who, shares, s.height()));
        p = fillQueue(s, p.with(p.totalShares(), p.totalStake(), p.freeStake(), p.workers(), queue));
        boolean waiting = p.queue().stream().anyMatch(q -> q.who().equals(who) && q.queuedAt() == s.height());
        if (waiting) {
            long left = p.queue().stream().filter(q -> q.who().equals(who) && q.queuedAt() == s.height()).mapToLong(Withdrawal::shares).sum();
            s.emit(new Event.WithdrawalQueued(poolId, who, left));
            addGraceDue(s, s.height() + Computation.config(s).withdrawGraceBlocks(), poolId);
        }
        put(s, p);
        return DispatchOutcome.OK;
    }

    // ---------------------------------------------------------------- used by the computation module

    /** Takes {@code amount} of the pool's free stake for a worker that starts computing. */
    public static DispatchOutcome lockStake(BlockState s, long poolId, long amount) {
        Pool p = pool(s, poolId).orElseThrow();
        if (amount > p.freeStake()) {
            return DispatchOutcome.fail(DispatchError.STAKE_TOO_LOW, "pool " + poolId + " has " + Tokens.display(p.freeStake())
                    + " free stake, not " + Tokens.display(amount) + " (delegate more to it)");
        }
        put(s, p.with(p.totalShares(), p.totalStake(), p.freeStake() - amount, p.workers(), p.queue()));
        return DispatchOutcome.OK;
    }

    /**
     * A worker's stake comes back: {@code returned} units become free stake again and {@code stake − returned} (the
     * slash) leave the pool for the treasury. Then the withdrawal queue is filled.
     */
    public static void unlockStake(BlockState s, long poolId, long stake, long returned) {
        Pool p = pool(s, poolId).orElseThrow();
        long slashed = stake - returned;
        if (slashed < 0 || stake > p.lockedStake()) {
            throw new IllegalStateException("pool " + poolId + " stake accounting broken");
        }
        if (slashed > 0) {
            Balances.move(s, p.account(), SystemParams.TREASURY, slashed);
        }
        p = p.with(p.totalShares(), p.totalStake() - slashed, p.freeStake() + returned, p.workers(), p.queue());
        put(s, fillQueue(s, p));
    }

    /** Mints {@code reward} into the pool: the owner's commission leaves at once, the rest raises the share price. */
    public static void reward(BlockState s, long poolId, long reward) {
        if (reward <= 0) {
            return;
        }
        Pool p = pool(s, poolId).orElseThrow();
        Balances.mint(s, p.account(), reward);
        long commission = mulDiv(reward, p.commission(), MiningCall.MAX_COMMISSION);
        if (commission > 0) {
            Balances.move(s, p.account(), p.owner(), commission);
        }
        long rest = reward - commission;
        p = p.with(p.totalShares(), p.totalStake() + rest, p.freeStake() + rest, p.workers(), p.queue());
        s.emit(new Event.PoolRewarded(poolId, reward, commission));
        put(s, fillQueue(s, p));
    }

    /** At each block: pools whose oldest withdrawal has waited past the grace period stop workers. */
    public static void onBlock(BlockState s) {
        byte[] dueKey = key(GRACE_DUE, s.height());
        byte[] v = s.get(dueKey);
        if (v == null) {
            return;
        }
        s.delete(dueKey);
        long grace = Computation.config(s).withdrawGraceBlocks();
        CanonicalReader r = new CanonicalReader(v);
        int n = r.u32("pools");
        for (int i = 0; i < n; i++) {
            long poolId = r.u64("pool");
            Pool p = pool(s, poolId).orElseThrow();
            if (p.queue().isEmpty() || p.queue().get(0).queuedAt() > s.height() - grace) {
                continue; // filled meanwhile, or a younger withdrawal is first now (it has its own due block)
            }
            long owed = 0;
            for (Withdrawal q : p.queue()) {
                owed += p.value(q.shares());
            }
            long need = owed - p.freeStake() - Computation.stakeFreeing(s, p.workers());
            for (WorkerId w : p.workers()) {
                if (need <= 0) {
                    break;
                }
                long freed = Computation.forceStop(s, w);
                need -= freed;
            }
            addGraceDue(s, s.height() + grace, poolId); // look again: stake frees only after the cooldown
        }
    }

    // ---------------------------------------------------------------- internals

    private static Pool fillQueue(BlockState s, Pool p) {
        List<Withdrawal> queue = new ArrayList<>(p.queue());
        long totalShares = p.totalShares();
        long totalStake = p.totalStake();
        long free = p.freeStake();
        while (!queue.isEmpty() && free > 0 && totalShares > 0) {
            Withdrawal head = queue.get(0);
            long value = mulDiv(head.shares(), totalStake, totalShares);
            long payShares = head.shares();
            if (value > free) {
                payShares = mulDiv(free, totalShares, totalStake);
                if (payShares == 0) {
                    break;
                }
                value = mulDiv(payShares, totalStake, totalShares);
            }
            if (value > 0) {
                Balances.move(s, p.account(), head.who(), value);
            }
            setShares(s, p.id(), head.who(), shares(s, p.id(), head.who()) - payShares);
            totalShares -= payShares;
            totalStake -= value;
            free -= value;
            s.emit(new Event.Withdrawn(p.id(), head.who(), payShares, value));
            if (payShares == head.shares()) {
                queue.remove(0);
            } else {
                queue.set(0, new Withdrawal(head.who(), head.shares() - payShares, head.queuedAt()));
                break;
            }
        }
        return p.with(totalShares, totalStake, free, p.workers(), queue);
    }

    private static void addGraceDue(BlockState s, long height, long poolId) {
        byte[] k = key(GRACE_DUE, height);
        byte[] v = s.get(k);
        List<Long> pools = new ArrayList<>();
        if (v != null) {
            CanonicalReader r = new CanonicalReader(v);
            int n = r.u32("pools");
            for (int i = 0; i < n; i++) {
                pools.add(r.u64("pool"));
            }
        }
        if (pools.contains(poolId)) {
            return;
        }
        pools.add(poolId);
        CanonicalWriter w = new CanonicalWriter(4 + 8 * pools.size()).u32(pools.size());
        pools.forEach(w::u64);
        s.put(k, w.toByteArray());
    }

    private static void put(BlockState s, Pool p) {
        s.put(key(POOL, p.id()), p.encode());
    }

    private static void setShares(BlockState s, long pool, AccountId who, long shares) {
        if (shares < 0) {
            throw new IllegalStateException("negative shares");
        }
        if (shares == 0) {
            s.delete(sharesKey(pool, who));
        } else {
            s.put(sharesKey(pool, who), new CanonicalWriter(8).u64(shares).toByteArray());
        }
    }

    private static byte[] sharesKey(long pool, AccountId who) {
        return new CanonicalWriter(42).fixed(SHARES).u64(pool).account(who).toByteArray();
    }

    private static byte[] key(byte[] prefix, long id) {
        return new CanonicalWriter(10).fixed(prefix).u64(id).toByteArray();
    }

    private static byte[] key(byte[] prefix, byte[] id) {
        return new CanonicalWriter(2 + id.length).fixed(prefix).fixed(id).toByteArray();
    }
}
