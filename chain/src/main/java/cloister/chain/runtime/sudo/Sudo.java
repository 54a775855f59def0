package cloister.chain.runtime.sudo;

import cloister.chain.runtime.BlockState;
import cloister.chain.runtime.DispatchOutcome;
import cloister.chain.runtime.balances.Balances;
import cloister.chain.runtime.registry.Registry;
import cloister.chain.runtime.system.SystemParams;
import cloister.crypto.AccountId;
import cloister.proto.DispatchError;
import cloister.proto.Event;
import cloister.proto.GovernanceCall;
import cloister.proto.SudoCall;

/** The dev governance module: only the sudo account (in state) may dispatch {@link GovernanceCall}s. */
public final class Sudo {
    private Sudo() {}

    public static DispatchOutcome dispatch(BlockState s, AccountId sender, SudoCall call) {
        return switch (call) {
            case SudoCall.Sudo sudo -> {
                if (!sender.equals(SystemParams.sudo(s))) {
                    yield DispatchOutcome.fail(DispatchError.BAD_ORIGIN, "only the sudo account may dispatch " + sudo.call().name());
                }
                DispatchOutcome outcome = governance(s, sudo.call());
                if (outcome.ok()) {
                    s.emit(new Event.SudoExecuted(sudo.call().name()));
                }
                yield outcome;
            }
        };
    }

    private static DispatchOutcome governance(BlockState s, GovernanceCall call) {
        return switch (call) {
            case GovernanceCall.SetBalance b -> Balances.forceSetBalance(s, b.who(), b.amount());
            case GovernanceCall.SetSudoKey k -> {
                SystemParams.setSudo(s, k.newKey());
                s.emit(new Event.SudoKeyChanged(k.newKey()));
                yield DispatchOutcome.OK;
            }
            case GovernanceCall.SetMinimumFee f -> {
                SystemParams.setMinimumFee(s, f.fee());
                s.emit(new Event.MinimumFeeChanged(f.fee()));
                yield DispatchOutcome.OK;
            }
            case GovernanceCall.SetStorageSlot t -> cloister.chain.runtime.storage.StorageMarket.setSlotBlocks(s, t.blocks());
            default -> Registry.governance(s, call);
        };
    }
}
