package cloister.proto;

/**
 * Calls of the mining runtime modules: {@code computation} (module tag 0x06: start, stop, reclaim, re-benchmark a
 * worker) and {@code stakepool} (module tag 0x07: pools, their workers, delegation and withdrawal). A worker computes
 * only inside a stake pool: the pool's owner starts it with stake taken from the pool's free stake, and its rewards
 * go to the pool. See {@code docs/mining.md}.
 */
public sealed interface MiningCall extends Call {
    /** Commission is given in millionths (parts per million) of each reward: at most 1,000,000 (100 %). */
    int MAX_COMMISSION = 1_000_000;

    /** Starts computing: locks {@code stake} units of the pool's free stake; the sender must own the worker's pool. */
    record StartComputing(WorkerId worker, long stake) implements MiningCall {
        public StartComputing {
            if (stake < 0) {
                throw new IllegalArgumentException("stake must not be negative");
            }
        }

        @Override
        public String name() {
            return "computation.startComputing";
        }
    }

    /** Stops computing: the worker cools down, then its stake can be reclaimed. Sender: the pool's owner. */
    record StopComputing(WorkerId worker) implements MiningCall {
        @Override
        public String name() {
            return "computation.stopComputing";
        }
    }

    /** After the cooldown, returns the worker's stake (less any slash) to its pool's free stake. Sender: the pool's owner. */
    record Reclaim(WorkerId worker) implements MiningCall {
        @Override
        public String name() {
            return "computation.reclaim";
        }
    }

    /** Asks the worker to benchmark again (its operator or its pool's owner); the report updates P. */
    record Rebenchmark(WorkerId worker) implements MiningCall {
        @Override
        public String name() {
            return "computation.rebenchmark";
        }
    }

    /** Creates a stake pool owned by the sender, taking {@code commission} millionths of every reward. */
    record CreatePool(int commission) implements MiningCall {
        public CreatePool {
            if (commission < 0 || commission > MAX_COMMISSION) {
                throw new IllegalArgumentException("commission is 0.." + MAX_COMMISSION + " millionths");
            }
        }

        @Override
        public String name() {
            return "stakepool.createPool";
        }
    }

    /** Adds a registered worker to the sender's pool; the sender must be the pool's owner and the worker's operator. */
    record AddWorker(long pool, WorkerId worker) implements MiningCall {
        @Override
        public String name() {
            return "stakepool.addWorker";
        }
    }

    /** Delegates {@code amount} units to a pool in exchange for shares at the pool's current share price. */
    record Delegate(long pool, long amount) implements MiningCall {
        public Delegate {
            if (amount < 0) {
                throw new IllegalArgumentException("amount must not be negative");
            }
        }

        @Override
        public String name() {
            return "stakepool.delegate";
        }
    }

    /** Withdraws {@code shares} of the sender's shares: paid now from free stake, or queued until stake frees up. */
    record Withdraw(long pool, long shares) implements MiningCall {
        public Withdraw {
            if (shares < 0) {
                throw new IllegalArgumentException("shares must not be negative");
            }
        }

        @Override
        public String name() {
            return "stakepool.withdraw";
        }
    }

    static void write(CanonicalWriter w, MiningCall call) {
        switch (call) {
            case StartComputing c -> w.u8(CallCodec.MODULE_COMPUTATION).u8(0x01).fixed(c.worker().bytes()).u64(c.stake());
            case StopComputing c -> w.u8(CallCodec.MODULE_COMPUTATION).u8(0x02).fixed(c.worker().bytes());
            case Reclaim c -> w.u8(CallCodec.MODULE_COMPUTATION).u8(0x03).fixed(c.worker().bytes());
            case Rebenchmark c -> w.u8(CallCodec.MODULE_COMPUTATION).u8(0x04).fixed(c.worker().bytes());
            case CreatePool c -> w.u8(CallCodec.MODULE_STAKEPOOL).u8(0x01).u32(c.commission());
            case AddWorker c -> w.u8(CallCodec.MODULE_STAKEPOOL).u8(0x02).u64(c.pool()).fixed(c.worker().bytes());
            case Delegate c -> w.u8(CallCodec.MODULE_STAKEPOOL).u8(0x03).u64(c.pool()).u64(c.amount());
            case Withdraw c -> w.u8(CallCodec.MODULE_STAKEPOOL).u8(0x04).u64(c.pool()).u64(c.shares());
        }
    }

    static MiningCall readComputation(CanonicalReader r, int function) {
        return switch (function) {
            case 0x01 -> new StartComputing(worker(r), r.u64("stake"));
            case 0x02 -> new StopComputing(worker(r));
            case 0x03 -> new Reclaim(worker(r));
            case 0x04 -> new Rebenchmark(worker(r));
            default -> throw new MalformedException("unknown computation call " + function);
        };
    }

    static MiningCall readStakePool(CanonicalReader r, int function) {
        return switch (function) {
            case 0x01 -> {
                int commission = r.u32("commission");
                if (commission > MAX_COMMISSION) {
                    throw new MalformedException("commission above 100 %");
                }
                yield new CreatePool(commission);
            }
            case 0x02 -> new AddWorker(r.u64("pool"), worker(r));
            case 0x03 -> new Delegate(r.u64("pool"), r.u64("amount"));
            case 0x04 -> new Withdraw(r.u64("pool"), r.u64("shares"));
            default -> throw new MalformedException("unknown stakepool call " + function);
        };
    }

    private static WorkerId worker(CanonicalReader r) {
        return WorkerId.of(r.fixed(32, "worker"));
    }
}
