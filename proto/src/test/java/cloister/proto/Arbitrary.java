package cloister.proto;

import cloister.common.Hash;
import cloister.crypto.AccountId;
import cloister.crypto.SigningKey;
import cloister.crypto.X25519PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Seeded random values for codec property tests: a failure names its seed, so it replays exactly. */
final class Arbitrary {
    private final Random random;
    private final List<SigningKey> keys;

    Arbitrary(long seed) {
        random = new Random(seed);
        keys = List.of(key(), key(), key());
    }

    private SigningKey key() {
        byte[] seed = new byte[32];
        random.nextBytes(seed);
        return SigningKey.fromSeed(seed);
    }

    Random random() {
        return random;
    }

    SigningKey signer() {
        return keys.get(random.nextInt(keys.size()));
    }

    Hash hash() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Hash.of(b);
    }

    AccountId account() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return AccountId.of(b);
    }

    /** A non-negative long, often at the edges (0, 1, 2^63-1) where encodings break first. */
    long u64() {
        return switch (random.nextInt(6)) {
            case 0 -> 0L;
            case 1 -> 1L;
            case 2 -> Long.MAX_VALUE;
            case 3 -> random.nextInt(1000);
            default -> random.nextLong() & Long.MAX_VALUE;
        };
    }

    /** A string of random code points (BMP, supplementary, ASCII), valid UTF-16 so it survives UTF-8. */
    String string(int maxCodePoints) {
        int n = random.nextInt(maxCodePoints + 1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int cp = switch (random.nextInt(3)) {
                case 0 -> 0x20 + random.nextInt(0x5f);
                case 1 -> 0x10000 + random.nextInt(0x10000);
                default -> random.nextInt(0xd000);
            };
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    GovernanceCall governanceCall(int variant) {
        return switch (variant) {
            case 0 -> new GovernanceCall.SetBalance(account(), u64());
            case 1 -> new GovernanceCall.SetSudoKey(account());
            case 2 -> new GovernanceCall.SetMinimumFee(u64());
            case 3 -> new GovernanceCall.AllowMeasurement(random.nextInt(256), bytes(1 + random.nextInt(64)));
            case 4 -> new GovernanceCall.DisallowMeasurement(random.nextInt(256), bytes(1 + random.nextInt(64)));
            case 5 -> new GovernanceCall.AddGatekeeper(worker());
            case 6 -> new GovernanceCall.RotateMasterKey();
            case 7 -> new GovernanceCall.CreateCluster(workers());
            case 8 -> new GovernanceCall.AddWorkerToCluster(u32(), worker());
            case 9 -> new GovernanceCall.DeploySystemContract(string(10), u32());
            case 10 -> new GovernanceCall.SetAttestationPolicy(1 + random.nextInt(5), 1 + (u64() >>> 1));
            default -> throw new IllegalArgumentException("no governance variant " + variant);
        };
    }

    static final int GOVERNANCE_VARIANTS = 11;
    static final int OTHER_CALL_VARIANTS = 15;
    /** Transfer, then Sudo with each governance variant, then registry and contracts calls. */
    static final int CALL_VARIANTS = 1 + GOVERNANCE_VARIANTS + OTHER_CALL_VARIANTS;

    Call call(int variant) {
        if (variant == 0) {
            return new BalancesCall.Transfer(account(), u64());
        }
        if (variant <= GOVERNANCE_VARIANTS) {
            return new SudoCall.Sudo(governanceCall(variant - 1));
        }
        return switch (variant - 1 - GOVERNANCE_VARIANTS) {
            case 0 -> new RegistryCall.RegisterWorker(workerInfo(),
                    new AttestationEvidence(random.nextInt(256), bytes(random.nextInt(300)), bytes(random.nextInt(100))));
            case 1 -> new RegistryCall.SubmitWorkerMessage(SignedWorkerMessage.sign(signer(), hash(), u64(), workerMessage()));
            case 2 -> new ContractsCall.PushCommand(new ContractId(hash()), bytes(random.nextInt(500)));
            case 3 -> new ContractsCall.UploadCode(bytes(random.nextInt(2000)));
            case 4 -> new ContractsCall.Instantiate(hash(), u32(), bytes(random.nextInt(33)), bytes(random.nextInt(100)), u64(), u64());
            case 5 -> new ContractsCall.Upgrade(new ContractId(hash()), hash());
            case 6 -> new ContractsCall.CallContract(new ContractId(hash()), bytes(random.nextInt(300)), u64(), u64());
            case 7 -> new MiningCall.StartComputing(worker(), u64());
            case 8 -> new MiningCall.StopComputing(worker());
            case 9 -> new MiningCall.Reclaim(worker());
            case 10 -> new MiningCall.Rebenchmark(worker());
            case 11 -> new MiningCall.CreatePool(random.nextInt(MiningCall.MAX_COMMISSION + 1));
            case 12 -> new MiningCall.AddWorker(u64(), worker());
            case 13 -> new MiningCall.Delegate(u64(), u64());
            case 14 -> new MiningCall.Withdraw(u64(), u64());
            default -> throw new IllegalArgumentException("no call variant " + variant);
        };
    }

    byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    int u32() {
        return random.nextBoolean() ? random.nextInt(10) : random.nextInt() & Integer.MAX_VALUE;
    }

    WorkerId worker() {
        return WorkerId.of(bytes(32));
    }

    List<WorkerId> workers() {
        List<WorkerId> out = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            out.add(worker());
        }
        return out;
    }

    X25519PublicKey ecdhKey() {
        return X25519PublicKey.of(bytes(32));
    }

    WorkerInfo workerInfo() {
        return new WorkerInfo(worker(), ecdhKey(), hash(), account(), string(8));
    }

    List<KeyShare> shares() {
        List<KeyShare> out = new ArrayList<>();
        for (int i = random.nextInt(3); i > 0; i--) {
            out.add(new KeyShare(worker(), bytes(random.nextInt(120))));
        }
        return out;
    }

    static final int WORKER_MESSAGE_VARIANTS = 8;

    WorkerMessage workerMessage() {
        return switch (random.nextInt(WORKER_MESSAGE_VARIANTS)) {
            case 0 -> new WorkerMessage.MasterKeyPublished(u32(), ecdhKey(), shares());
            case 1 -> new WorkerMessage.MasterKeyShared(new KeyShare(worker(), bytes(80)));
            case 2 -> new WorkerMessage.ClusterKeyPublished(u32(), ecdhKey(), shares());
            case 4 -> new WorkerMessage.CallSettled(hash(), u64(),
                    java.util.stream.IntStream.range(0, random.nextInt(3)).mapToObj(i -> new WorkerMessage.PublishedEvent(random.nextBoolean(),
                            bytes(random.nextInt(80)))).toList(),
                    java.util.stream.IntStream.range(0, random.nextInt(3)).mapToObj(i -> new WorkerMessage.Payout(account(), 1 + random.nextInt(1000)))
                            .toList());
            case 3 -> new WorkerMessage.EndpointAnnounced("http://127.0.0.1:" + random.nextInt(65536) + "/" + string(5));
            case 6 -> new WorkerMessage.BenchmarkReport(u64(), u64(), u64());
            case 7 -> new WorkerMessage.Heartbeat(u64(), u64(), u64(), u32());
            default -> new WorkerMessage.ContractKeyPublished(new ContractId(hash()), ecdhKey(), shares());
        };
    }

    static final int INBOUND_VARIANTS = 17;

    InboundMessage inbound(int variant) {
        return switch (variant) {
            case 0 -> new InboundMessage.AuthoritySet(List.of(account(), account()));
            case 1 -> new InboundMessage.WorkerRegistered(workerInfo(), random.nextInt(256), bytes(32), 1 + random.nextInt(5));
            case 2 -> new InboundMessage.GatekeeperAdded(worker());
            case 3 -> new InboundMessage.MasterKeyRotation(u32(), worker());
            case 4 -> new InboundMessage.ClusterCreated(u32(), workers());
            case 5 -> new InboundMessage.WorkerJoinedCluster(u32(), worker());
            case 6 -> new InboundMessage.ContractDeployed(new ContractId(hash()), u32(), string(10), u32());
            case 7 -> new InboundMessage.Command(new ContractId(hash()), account(), hash(), bytes(random.nextInt(200)));
            case 8 -> new InboundMessage.Accepted(SignedWorkerMessage.sign(signer(), hash(), u64(), workerMessage()));
            case 9 -> new InboundMessage.CodeUploaded(hash(), bytes(random.nextInt(500)));
            case 10 -> new InboundMessage.WasmInstantiated(new ContractId(hash()), hash(), account(), hash(), bytes(random.nextInt(80)), u64());
            case 11 -> new InboundMessage.ContractUpgraded(new ContractId(hash()), hash());
            case 12 -> new InboundMessage.WasmCall(new ContractId(hash()), account(), hash(), bytes(random.nextInt(80)), u64());
            case 13 -> new InboundMessage.BenchmarkRequested(worker(), u64());
            case 14 -> new InboundMessage.HeartbeatChallenge(worker(), u64());
            case 15 -> new InboundMessage.WorkerUnresponsive(worker());
            case 16 -> new InboundMessage.JobTimedOut(u64(), worker());
            default -> throw new IllegalArgumentException("no inbound variant " + variant);
        };
    }

    Call call() {
        return call(random.nextInt(CALL_VARIANTS));
    }

    Transaction transaction(Call call) {
        return Transaction.sign(hash(), signer(), u64(), u64(), call);
    }

    Transaction transaction() {
        return transaction(call());
    }

    BlockHeader unsealedHeader() {
        return new BlockHeader(u64(), hash(), u64(), hash(), hash(), hash(), account(), Signature.EMPTY);
    }

    static final int EVENT_VARIANTS = 59;

    Event event(int variant) {
        return switch (variant) {
            case 0 -> new Event.Transfer(account(), account(), u64());
            case 1 -> new Event.FeePaid(account(), u64());
            case 2 -> new Event.TxFailed(hash(), string(20), string(200));
            case 3 -> new Event.SudoExecuted(string(30));
            case 4 -> new Event.BalanceSet(account(), u64());
            case 5 -> new Event.SudoKeyChanged(account());
            case 6 -> new Event.MinimumFeeChanged(u64());
            case 7 -> new Event.MeasurementAllowed(random.nextInt(256), string(64));
            case 8 -> new Event.MeasurementDisallowed(random.nextInt(256), string(64));
            case 9 -> new Event.AttestationPolicySet(random.nextInt(256), u64());
            case 10 -> new Event.WorkerRegistered(worker(), account(), random.nextInt(256), random.nextInt(256));
            case 11 -> new Event.GatekeeperAdded(worker());
            case 12 -> new Event.MasterKeyRotationRequested(u32(), worker());
            case 13 -> new Event.MasterKeyPublished(u32(), ecdhKey());
            case 14 -> new Event.ClusterCreated(u32(), u32());
            case 15 -> new Event.WorkerJoinedCluster(u32(), worker());
            case 16 -> new Event.ClusterKeyPublished(u32(), ecdhKey());
            case 17 -> new Event.ContractDeployed(new ContractId(hash()), string(10), u32());
            case 18 -> new Event.ContractKeyPublished(new ContractId(hash()), ecdhKey(), u32());
            case 19 -> new Event.WorkerMessageAccepted(worker(), u64(), string(20));
            case 20 -> new Event.CommandPushed(new ContractId(hash()), account(), u32());
            case 21 -> new Event.WorkerMessageRefused(worker(), u64(), string(10), string(50));
            case 22 -> new Event.CodeUploaded(hash(), u32());
            case 23 -> new Event.ContractInstantiated(new ContractId(hash()), hash(), account(), u32());
            case 24 -> new Event.ContractUpgraded(new ContractId(hash()), hash());
            case 25 -> new Event.ContractCalled(new ContractId(hash()), account(), u64(), u64());
            case 26 -> new Event.GasSettled(hash(), u64(), u64(), u64());
            case 27 -> new Event.SettlementMismatch(hash(), worker(), u64(), u64());
            case 28 -> new Event.ContractEmitted(new ContractId(hash()), hash(), u32(), random.nextBoolean(), bytes(random.nextInt(100)));
            case 29 -> new Event.ContractTransfersRefused(new ContractId(hash()), hash(), string(40));
            case 30 -> new Event.ProviderRegistered(worker(), account(), u64());
            case 31 -> new Event.OrderPlaced(hash(), account(), u64(), u32(), u64(), u64());
            case 32 -> new Event.ReplicaAssigned(hash(), worker());
            case 33 -> new Event.ReplicaLost(hash(), worker(), string(40));
            case 34 -> new Event.WorkReportAccepted(worker(), u64(), u32(), u64());
            case 35 -> new Event.StorageSlotClosed(u64(), u32(), u64());
            case 36 -> new Event.OrderRenewed(hash(), u64(), u64());
            case 37 -> new Event.OrderEnded(hash(), string(10), u64());
            case 38 -> new Event.DatasetRegistered(u64(), account(), string(12));
            case 39 -> new Event.GrantAdded(u64(), u32());
            case 40 -> new Event.DatasetDeleted(u64(), u32());
            case 41 -> new Event.JobSubmitted(u64(), account(), u32(), u32());
            case 42 -> new Event.JobStarted(u64(), worker(), u32());
            case 43 -> new Event.JobEnded(u64(), string(6), string(40), u64(), u64());
            case 44 -> new Event.WorkerBenchmarked(worker(), u64(), u32());
            case 45 -> new Event.ComputingStarted(worker(), u64(), u64(), u64());
            case 46 -> new Event.HeartbeatChallenged(worker(), u64());
            case 47 -> new Event.MiningReward(worker(), u64(), u64(), u64(), u64());
            case 48 -> new Event.WorkerUnresponsive(worker(), u64());
            case 49 -> new Event.WorkerRecovered(worker(), u64());
            case 50 -> new Event.ComputingStopped(worker(), u64(), random.nextBoolean());
            case 51 -> new Event.StakeReclaimed(worker(), u64(), u64(), u64());
            case 52 -> new Event.PoolCreated(u64(), account(), u32());
            case 53 -> new Event.PoolWorkerAdded(u64(), worker());
            case 54 -> new Event.Delegated(u64(), account(), u64(), u64());
            case 55 -> new Event.WithdrawalQueued(u64(), account(), u64());
            case 56 -> new Event.Withdrawn(u64(), account(), u64(), u64());
            case 57 -> new Event.PoolRewarded(u64(), u64(), u64());
            case 58 -> new Event.StorageReward(worker(), u64(), u64(), u64(), u64());
            default -> throw new IllegalArgumentException("no event variant " + variant);
        };
    }

    int txIndex() {
        return switch (random.nextInt(4)) {
            case 0 -> EventRecord.BLOCK;
            case 1 -> 0;
            case 2 -> Integer.MAX_VALUE - 1;
            default -> random.nextInt(10_000);
        };
    }
}
