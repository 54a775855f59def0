package cloister.node.devnet;

import cloister.chain.ChainView;
import cloister.chain.SubmitResult;
import cloister.chain.TxSubmitter;
import cloister.chain.runtime.computation.Computation;
import cloister.chain.runtime.computation.Miner;
import cloister.chain.runtime.computation.MiningState;
import cloister.chain.runtime.registry.Registry;
import cloister.chain.runtime.stakepool.StakePools;
import cloister.proto.MiningCall;
import cloister.chain.store.StateReader;
import cloister.crypto.SigningKey;
import cloister.proto.ContractId;
import cloister.proto.GovernanceCall;
import cloister.proto.SudoCall;
import cloister.proto.Transaction;
import cloister.proto.WorkerId;
import cloister.tee.Measurement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * What a devnet's governance does once its workers are up, as the sudo account, through ordinary transactions:
 * allow the current worker build, make the first worker the gatekeeper, wait for its master key, create cluster 0
 * of the compute workers, deploy {@code secret-notes} there and wait for the contract key. Every step first
 * checks the chain, so a restarted devnet skips what is done.
 */
public final class DevnetBootstrap {
    public static final String NOTES_KIND = "secret-notes";
    private static final long FEE = 1_000_000;

    private final ChainView view;
    private final TxSubmitter submitter;
    private final SigningKey sudo;
    private final Consumer<String> progress;
    private final Duration timeout;

    public DevnetBootstrap(ChainView view, TxSubmitter submitter, SigningKey sudo, Consumer<String> progress, Duration timeout) {
        this.view = view;
        this.submitter = submitter;
        this.sudo = sudo;
        this.progress = progress;
        this.timeout = timeout;
    }

    /** Adds {@code build} to the allowlist unless it is there (a devnet restarted with a new build). */
    public void allow(Measurement build) throws TimeoutException, InterruptedException {
        if (Registry.allowedSince(view.state(), build).isEmpty()) {
            progress.accept("allowing worker build " + build);
            governance(new GovernanceCall.AllowMeasurement(build.platform().code(), build.value()));
            await("the worker build on the allowlist", () -> Registry.allowedSince(view.state(), build).isPresent());
        }
    }

    /** As {@link #run(List, List)} with one gatekeeper. */
    public ContractId run(WorkerId gatekeeper, List<WorkerId> cluster) throws TimeoutException, InterruptedException {
        return run(List.of(gatekeeper), cluster);
    }

    /**
     * @param gatekeepers the workers that become gatekeepers (the first creates the master key)
     * @param cluster     the compute workers of cluster 0 (none: no cluster, no contract)
     * @return the id of the deployed secret-notes contract (deployed only if there is a cluster)
     */
    public ContractId run(List<WorkerId> gatekeepers, List<WorkerId> cluster) throws TimeoutException, InterruptedException {
        await("workers registered", () -> gatekeepers.stream().allMatch(this::registered) && cluster.stream().allMatch(this::registered));
        for (WorkerId gatekeeper : gatekeepers) {
            if (!Registry.gatekeepers(view.state()).contains(gatekeeper)) {
                progress.accept("adding gatekeeper " + gatekeeper.hex().substring(0, 16) + "…");
                governance(new GovernanceCall.AddGatekeeper(gatekeeper));
                await("gatekeeper " + gatekeeper.hex().substring(0, 16), () -> Registry.gatekeepers(view.state()).contains(gatekeeper));
            }
            await("the master key", () -> Registry.masterKeys(view.state()).currentEpoch() >= 0);
        }
        ContractId notes = ContractId.system(NOTES_KIND, 0);
        if (cluster.isEmpty()) {
            return notes;
        }
        if (Registry.clusterCount(view.state()) == 0) {
            progress.accept("creating cluster 0 with " + cluster.size() + " workers");
            governance(new GovernanceCall.CreateCluster(cluster));
            await("cluster 0", () -> Registry.clusterCount(view.state()) > 0);
        }
        if (Registry.contract(view.state(), notes).isEmpty()) {
            progress.accept("deploying " + NOTES_KIND + " to cluster 0");
            governance(new GovernanceCall.DeploySystemContract(NOTES_KIND, 0));
        }
        await("the " + NOTES_KIND + " contract key", () -> Registry.contract(view.state(), notes)
                .map(c -> c.publicKey().isPresent()).orElse(false));
        return notes;
    }

    /** Sets the storage market's slot length (effective at the next slot boundary) unless it is already that. */
    public void storageSlot(int blocks) throws TimeoutException, InterruptedException {
        if (cloister.chain.runtime.storage.StorageMarket.slotBlocksSetting(view.state()) != blocks) {
            progress.accept("setting the storage slot to " + blocks + " blocks");
            governance(new GovernanceCall.SetStorageSlot(blocks));
            await("the storage slot length", () -> cloister.chain.runtime.storage.StorageMarket.slotBlocksSetting(view.state()) == blocks);
        }
    }

    /** What each devnet operator delegates to its own pool, and stakes per worker (at least the worker's minimum). */
    public static final long POOL_DELEGATION = cloister.common.Tokens.of(20_000);
    public static final long WORKER_STAKE = cloister.common.Tokens.of(5_000);
    /** The devnet pools' commission: 10 %. */
    public static final int POOL_COMMISSION = 100_000;

    /**
     * Mining, as each worker's operator would do it: the operator creates a stake pool (10 % commission) unless it
     * has one, adds the worker, delegates to it, waits for the worker's benchmark score, and starts it computing with
     * {@link #WORKER_STAKE} (or its minimum stake if that is more). Done per worker; a worker already computing, or
     * cooling down, is left alone.
     *
     * @param operatorKey the signing key of a worker's operator (devnet operators' keys are public dev keys)
     */
    public void startMining(List<WorkerId> workers, java.util.function.Function<cloister.crypto.AccountId, SigningKey> operatorKey)
            throws TimeoutException, InterruptedException {
        for (WorkerId w : workers) {
            await("worker " + w.hex().substring(0, 16) + " registered", () -> registered(w));
            SigningKey op = operatorKey.apply(Registry.worker(view.state(), w).orElseThrow().info().operator());
            if (StakePools.poolsOwnedBy(view.state(), op.account()).isEmpty()) {
                progress.accept("mining: " + name(op) + " creates a stake pool");
                signed(op, new MiningCall.CreatePool(POOL_COMMISSION));
                await("the stake pool of " + name(op), () -> !StakePools.poolsOwnedBy(view.state(), op.account()).isEmpty());
                long pool = StakePools.poolsOwnedBy(view.state(), op.account()).get(0);
                signed(op, new MiningCall.Delegate(pool, POOL_DELEGATION));
                await("the delegation to pool " + pool, () -> StakePools.pool(view.state(), pool).orElseThrow().totalStake() > 0);
            }
            long pool = StakePools.poolsOwnedBy(view.state(), op.account()).get(0);
            if (StakePools.poolOf(view.state(), w).isEmpty()) {
                signed(op, new MiningCall.AddWorker(pool, w));
                await("worker " + w.hex().substring(0, 16) + " in pool " + pool, () -> StakePools.poolOf(view.state(), w).isPresent());
            }
            await("worker " + w.hex().substring(0, 16) + "'s benchmark", () -> Computation.miner(view.state(), w).map(m -> m.score() > 0).orElse(false));
            Miner m = Computation.miner(view.state(), w).orElseThrow();
            if (m.state() != MiningState.READY) {
                continue;
            }
            long stake = Math.max(WORKER_STAKE, Computation.minimumStake(Computation.config(view.state()), m.score()));
            progress.accept("mining: worker " + w.hex().substring(0, 16) + "… (P " + m.score() + ") starts computing in pool " + pool + " with "
                    + cloister.common.Tokens.display(stake) + " CLO");
            signed(op, new MiningCall.StartComputing(w, stake));
            await("worker " + w.hex().substring(0, 16) + " computing", () -> Computation.miner(view.state(), w).orElseThrow().state() != MiningState.READY);
        }
    }

    /** The dev name of a key, for progress lines. */
    private static String name(SigningKey k) {
        return cloister.crypto.DevKeys.nameOf(k.account()).orElse(k.account().address());
    }

    private void signed(SigningKey from, cloister.proto.Call call) throws InterruptedException {
        signed(from, call, call.name());
    }

    /**
     * Submits a call signed by {@code from}. Someone else may be using the account at the same moment (a user's
     * {@code transfer --from alice}): a nonce clash is retried with a fresh nonce a few times.
     */
    private void signed(SigningKey from, cloister.proto.Call call, String what) throws InterruptedException {
        SubmitResult.Rejected last = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            Transaction tx = Transaction.sign(view.info().genesisHash(), from, view.nextNonce(from.account()), FEE, call);
            if (!(submitter.submit(tx.encode()) instanceof SubmitResult.Rejected r)) {
                return;
            }
            last = r;
            Thread.sleep(100);
        }
        throw new IllegalStateException("devnet " + what + " refused: " + last.reason().code() + ": " + last.message());
    }

    private boolean registered(WorkerId id) {
        StateReader s = view.state();
        return Registry.worker(s, id).isPresent();
    }

    /** Submits a sudo call. */
    private void governance(GovernanceCall call) throws InterruptedException {
        signed(sudo, new SudoCall.Sudo(call), "governance " + call.name());
    }

    private void await(String what, BooleanSupplier condition) throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("devnet set-up: gave up waiting for " + what + " after " + timeout.toSeconds() + " s");
            }
            Thread.sleep(20);
        }
    }
}
