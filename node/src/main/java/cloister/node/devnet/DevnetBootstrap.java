package cloister.node.devnet;

import cloister.chain.ChainView;
import cloister.chain.SubmitResult;
import cloister.chain.TxSubmitter;
import cloister.chain.runtime.registry.Registry;
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

    private boolean registered(WorkerId id) {
        StateReader s = view.state();
        return Registry.worker(s, id).isPresent();
    }

    /**
     * Submits a sudo call. Someone else may be using the sudo account at the same moment (a user's
     * {@code transfer --from alice}): a nonce clash is retried with a fresh nonce a few times.
     */
    private void governance(GovernanceCall call) throws InterruptedException {
        SubmitResult.Rejected last = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            Transaction tx = Transaction.sign(view.info().genesisHash(), sudo, view.nextNonce(sudo.account()), FEE, new SudoCall.Sudo(call));
            if (!(submitter.submit(tx.encode()) instanceof SubmitResult.Rejected r)) {
                return;
            }
            last = r;
            Thread.sleep(100);
        }
        throw new IllegalStateException("devnet governance " + call.name() + " refused: " + last.reason().code() + ": " + last.message());
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
