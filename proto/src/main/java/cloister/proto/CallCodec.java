package cloister.proto;

/** Canonical encoding of {@link Call}s: (module u8, function u8, fields). The one place call tags are defined. */
public final class CallCodec {
    static final int MODULE_SUDO = 0x00;
    static final int MODULE_BALANCES = 0x01;

    private CallCodec() {}

    public static void write(CanonicalWriter w, Call call) {
        switch (call) {
            case BalancesCall.Transfer t -> w.u8(MODULE_BALANCES).u8(0x01).account(t.to()).u64(t.amount());
            case SudoCall.Sudo s -> {
                w.u8(MODULE_SUDO).u8(0x01);
                writeGovernance(w, s.call());
            }
        }
    }

    private static void writeGovernance(CanonicalWriter w, GovernanceCall g) {
        switch (g) {
            case GovernanceCall.SetBalance b -> w.u8(0x01).account(b.who()).u64(b.amount());
            case GovernanceCall.SetSudoKey k -> w.u8(0x02).account(k.newKey());
            case GovernanceCall.SetMinimumFee f -> w.u8(0x03).u64(f.fee());
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
            default -> throw new MalformedException("unknown call module " + module);
        };
    }

    private static GovernanceCall readGovernance(CanonicalReader r) {
        int tag = r.u8("governance call");
        return switch (tag) {
            case 0x01 -> new GovernanceCall.SetBalance(r.account("account"), r.u64("balance"));
            case 0x02 -> new GovernanceCall.SetSudoKey(r.account("new sudo key"));
            case 0x03 -> new GovernanceCall.SetMinimumFee(r.u64("minimum fee"));
            default -> throw new MalformedException("unknown governance call " + tag);
        };
    }
}
