package cloister.worker.wasm;

import com.dylibso.chicory.runtime.GlobalInstance;
import com.dylibso.chicory.wasm.types.MutabilityType;
import com.dylibso.chicory.wasm.types.ValType;

/**
 * The instance's {@code $gas} global (see {@link GasInstrumenter}): the gas left, which the module's own metering
 * code reads and decrements, and host functions charge through {@link #charge}. -1 means out of gas.
 *
 * <p>It also carries cancellation: every metered segment reads this global, so once {@link #cancel()} is called
 * (from another thread) a read soon after throws (every 1024th read looks), under the interpreter and the compiler
 * alike. That is how a query's
 * wall-time cap stops a contract that loops — Chicory's own interrupt check does not cover every loop.
 */
final class GasMeter extends GlobalInstance {
    /** Reads between two looks at {@link #cancelled}: a volatile read per metered segment would cost ~30%. */
    private static final int CANCEL_CHECK_INTERVAL = 1024;

    private volatile boolean cancelled;
    private int reads;

    GasMeter(long gas) {
        super(gas, 0, ValType.I64, MutabilityType.Var);
    }

    @Override
    public long getValue() {
        checkCancelled();
        return super.getValue();
    }

    @Override
    public long getValueLow() {
        checkCancelled();
        return super.getValueLow();
    }

    private void checkCancelled() {
        if (++reads % CANCEL_CHECK_INTERVAL == 0 && cancelled) {
            throw new HostStop(HostStop.Kind.CANCELLED, "cancelled");
        }
    }

    void cancel() {
        cancelled = true;
    }

    boolean cancelled() {
        return cancelled;
    }

    /** Takes {@code gas} for host work, or ends the call out of gas. */
    void charge(long gas) {
        if (cancelled) {
            throw new HostStop(HostStop.Kind.CANCELLED, "cancelled");
        }
        long left = super.getValue();
        if (gas < 0 || left < gas) {
            setValue(-1);
            throw new HostStop(HostStop.Kind.OUT_OF_GAS, "out of gas");
        }
        setValue(left - gas);
    }

    boolean exhausted() {
        return super.getValue() < 0;
    }

    /** Gas left; 0 once exhausted. */
    long left() {
        return Math.max(0, super.getValue());
    }
}
