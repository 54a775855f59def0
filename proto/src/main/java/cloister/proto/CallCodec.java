package cloister.proto;

/** Canonical encoding of {@link Call}s: (module u8, function u8, fields). The one place call tags are defined. */
public final class CallCodec {
    static final int MODULE_SUDO = 0x00;
    static final int MODULE_BALANCES = 0x01;
    static final int MODULE_REGISTRY = 0x02;
    static final int MODULE_CONTRACTS = 0x03;
    static final int MODULE_STORAGE = 0x04;
    static final int MODULE_DATAMARKET = 0x05;
    static final int MODULE_COMPUTATION = 0x06;
    static final int MODULE_STAKEPOOL = 0x07;
    private static final int MAX_CLUSTER_WORKERS = 1024;

    private CallCodec() {}

    public static void write(CanonicalWriter w, Call call) {
        switch (call) {
            case BalancesCall.Transfer t -> w.u8(MODULE_BALANCES).u8(0x01).account(t.to()).u64(t.amount());
            case SudoCall.Sudo s -> {
                w.u8(MODULE_SUDO).u8(0x01);
                writeGovernance(w, s.call());
            }
            case RegistryCall.RegisterWorker r -> {
                w.u8(MODULE_REGISTRY).u8(0x01);
                r.info().write(w);
                r.evidence().write(w);
            }
            case RegistryCall.SubmitWorkerMessage m -> {
                w.u8(MODULE_REGISTRY).u8(0x02);
                m.message().write(w);
            }
            case ContractsCall.PushCommand c -> w.u8(MODULE_CONTRACTS).u8(0x01).hash(c.contract().hash()).bytes(c.sealed());
            case ContractsCall.UploadCode u -> w.u8(MODULE_CONTRACTS).u8(0x02).bytes(u.code());
            case ContractsCall.Instantiate i -> w.u8(MODULE_CONTRACTS).u8(0x03).hash(i.codeHash()).u32(i.cluster()).bytes(i.salt())
                    .bytes(i.sealedArgs()).u64(i.gasLimit()).u64(i.gasPrice());
            case ContractsCall.Upgrade u -> w.u8(MODULE_CONTRACTS).u8(0x04).hash(u.contract().hash()).hash(u.codeHash());
            case ContractsCall.CallContract c -> w.u8(MODULE_CONTRACTS).u8(0x05).hash(c.contract().hash()).bytes(c.sealed())
                    .u64(c.gasLimit()).u64(c.gasPrice());
            case StorageCall.RegisterProvider p -> w.u8(MODULE_STORAGE).u8(0x01).fixed(p.watchdog().bytes()).u64(p.capacity()).string(p.endpoint());
            case StorageCall.PlaceOrder o -> w.u8(MODULE_STORAGE).u8(0x02).hash(o.file()).u64(o.size()).u32(o.replicas()).u32(o.slots())
                    .u64(o.pricePerReplicaSlot()).bytes(o.wrappedKey());
            case StorageCall.Renew n -> w.u8(MODULE_STORAGE).u8(0x03).hash(n.file()).u32(n.slots());
            case StorageCall.Cancel c -> w.u8(MODULE_STORAGE).u8(0x04).hash(c.file());
            case DataMarketCall d -> {
                w.u8(MODULE_DATAMARKET);
                DataMarketCall.write(w, d);
            }
            case MiningCall m -> MiningCall.write(w, m);
        }
    }

    private static void writeGovernance(CanonicalWriter w, GovernanceCall g) {
        switch (g) {
            case GovernanceCall.SetBalance b -> w.u8(0x01).account(b.who()).u64(b.amount());
            case GovernanceCall.SetSudoKey k -> w.u8(0x02).account(k.newKey());
            case GovernanceCall.SetMinimumFee f -> w.u8(0x03).u64(f.fee());
            case GovernanceCall.AllowMeasurement a -> w.u8(0x04).u8(a.platformCode()).bytes(a.measurement());
            case GovernanceCall.DisallowMeasurement d -> w.u8(0x05).u8(d.platformCode()).bytes(d.measurement());
            case GovernanceCall.AddGatekeeper a -> w.u8(0x06).fixed(a.worker().bytes());
            case GovernanceCall.RotateMasterKey r -> w.u8(0x07);
            case GovernanceCall.CreateCluster c -> {
                w.u8(0x08).u32(c.workers().size());
                c.workers().forEach(x -> w.fixed(x.bytes()));
            }
            case GovernanceCall.AddWorkerToCluster a -> w.u8(0x09).u32(a.cluster()).fixed(a.worker().bytes());
            case GovernanceCall.DeploySystemContract d -> w.u8(0x0A).string(d.kind()).u32(d.cluster());
            case GovernanceCall.SetAttestationPolicy p -> w.u8(0x0B).u8(p.maxConfidenceLevel()).u64(p.maxQuoteAgeMillis());
            case GovernanceCall.SetStorageSlot t -> w.u8(0x0C).u32(t.blocks());
        }
    }

    public static Call read(CanonicalReader r) {
        int module = r.u8("call module");
        int function = r.u8("call function");
        return switch (module) {
            case MODULE_BALANCES -> switch (function) {
                case 0x01 -> new BalancesCall.Transfer(r.account("transfer destination"), r.u64("transfer amount"));
                default -> throw new MalformedException("unknown balances call " + function);
            };
            case MODULE_SUDO -> switch (function) {
                case 0x01 -> new SudoCall.Sudo(readGovernance(r));
                default -> throw new MalformedException("unknown sudo call " + function);
            };
            case MODULE_REGISTRY -> switch (function) {
                case 0x01 -> new RegistryCall.RegisterWorker(WorkerInfo.read(r), AttestationEvidence.read(r));
                case 0x02 -> new RegistryCall.SubmitWorkerMessage(SignedWorkerMessage.read(r));
                default -> throw new MalformedException("unknown registry call " + function);
            };
            case MODULE_CONTRACTS -> switch (function) {
                case 0x01 -> new ContractsCall.PushCommand(new ContractId(r.hash("contract")), r.bytes(InboundMessage.MAX_COMMAND, "command"));
                case 0x02 -> new ContractsCall.UploadCode(r.bytes(ContractsCall.MAX_CODE + 1, "code"));
                case 0x03 -> new ContractsCall.Instantiate(r.hash("code hash"), r.u32("cluster"), r.bytes(ContractsCall.MAX_SALT, "salt"),
                        r.bytes(InboundMessage.MAX_COMMAND, "constructor arguments"), r.u64("gas limit"), r.u64("gas price"));
                case 0x04 -> new ContractsCall.Upgrade(new ContractId(r.hash("contract")), r.hash("code hash"));
                case 0x05 -> new ContractsCall.CallContract(new ContractId(r.hash("contract")), r.bytes(InboundMessage.MAX_COMMAND, "call"),
                        r.u64("gas limit"), r.u64("gas price"));
                default -> throw new MalformedException("unknown contracts call " + function);
            };
            case MODULE_STORAGE -> switch (function) {
                case 0x01 -> new StorageCall.RegisterProvider(WorkerId.of(r.fixed(32, "watchdog")), r.u64("capacity"),
                        r.string(StorageCall.MAX_URL, "endpoint"));
                case 0x02 -> new StorageCall.PlaceOrder(r.hash("file"), r.u64("size"), r.u32("replicas"), r.u32("slots"), r.u64("price"),
                        r.bytes(StorageCall.MAX_WRAPPED_KEY, "wrapped key"));
                case 0x03 -> new StorageCall.Renew(r.hash("file"), r.u32("slots"));
                case 0x04 -> new StorageCall.Cancel(r.hash("file"));
                default -> throw new MalformedException("unknown storage call " + function);
            };
            case MODULE_DATAMARKET -> DataMarketCall.read(r, function);
            case MODULE_COMPUTATION -> MiningCall.readComputation(r, function);
            case MODULE_STAKEPOOL -> MiningCall.readStakePool(r, function);
            default -> throw new MalformedException("unknown call module " + module);
        };
    }

    private static GovernanceCall readGovernance(CanonicalReader r) {
        int tag = r.u8("governance call");
        return switch (tag) {
            case 0x01 -> new GovernanceCall.SetBalance(r.account("account"), r.u64("balance"));
            case 0x02 -> new GovernanceCall.SetSudoKey(r.account("new sudo key"));
            case 0x03 -> new GovernanceCall.SetMinimumFee(r.u64("minimum fee"));
            case 0x04 -> new GovernanceCall.AllowMeasurement(r.u8("platform"), measurement(r));
            case 0x05 -> new GovernanceCall.DisallowMeasurement(r.u8("platform"), measurement(r));
            case 0x06 -> new GovernanceCall.AddGatekeeper(WorkerId.of(r.fixed(32, "worker")));
            case 0x07 -> new GovernanceCall.RotateMasterKey();
            case 0x08 -> {
                int n = r.u32("worker count");
                if (n > MAX_CLUSTER_WORKERS) {
                    throw new MalformedException(n + " workers, at most " + MAX_CLUSTER_WORKERS);
                }
                java.util.List<WorkerId> workers = new java.util.ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    workers.add(WorkerId.of(r.fixed(32, "worker")));
                }
                yield new GovernanceCall.CreateCluster(workers);
            }
            case 0x09 -> new GovernanceCall.AddWorkerToCluster(r.u32("cluster"), WorkerId.of(r.fixed(32, "worker")));
            case 0x0A -> new GovernanceCall.DeploySystemContract(r.string(64, "contract kind"), r.u32("cluster"));
            case 0x0B -> policy(r.u8("max confidence level"), r.u64("max quote age"));
            case 0x0C -> {
                int blocks = r.u32("slot blocks");
                if (blocks < GovernanceCall.SetStorageSlot.MIN_BLOCKS || blocks > GovernanceCall.SetStorageSlot.MAX_BLOCKS) {
                    throw new MalformedException("a storage slot is " + GovernanceCall.SetStorageSlot.MIN_BLOCKS + ".."
                            + GovernanceCall.SetStorageSlot.MAX_BLOCKS + " blocks");
                }
                yield new GovernanceCall.SetStorageSlot(blocks);
            }
            default -> throw new MalformedException("unknown governance call " + tag);
        };
    }

    private static byte[] measurement(CanonicalReader r) {
        byte[] m = r.bytes(64, "measurement");
        if (m.length == 0) {
            throw new MalformedException("empty measurement");
        }
        return m;
    }

    private static GovernanceCall policy(int level, long age) {
        if (level < 1 || level > 5 || age <= 0) {
            throw new MalformedException("attestation policy out of range");
        }
        return new GovernanceCall.SetAttestationPolicy(level, age);
    }
}
