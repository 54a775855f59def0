package cloister.worker.wasm;

import com.dylibso.chicory.runtime.GlobalInstance;
import com.dylibso.chicory.wasm.types.MutabilityType;
import com.dylibso.chicory.wasm.types.ValType;

/**
 * The instance's {@code $gas} global (see {@link GasInstrumenter}): the gas left, which the module's own metering
 * code reads and decrements, and host functions charge through {@link #charge}. -1 means out of gas.
 *
 * <p>It also carries cancellation: every metered segment reads this global, so once {@link #cancel()} is called
 * (from another thread) the next read throws, under the interpreter and the compiler alike. That is how a query's
 * wall-time cap stops a contract that loops — Chicory's own interrupt check does not cover every loop.
 */
final class GasMeter extends GlobalInstance {
    private volatile boolean cancelled;

    GasMeter(long gas) {
        super(gas, 0, ValType.I64, MutabilityType.Var);
    }

    @Override
    public long getValue() {
        if (cancelled) {
            throw new HostStop(HostStop.Kind.CANCELLED, "cancelled");
        }
        return super.getValue();
    }

    @Override
    public long getValueLow() {
        if (cancelled) {
            throw new HostStop(HostStop.Kind.CANCELLED, "cancelled");
        }
        return super.getValueLow();
    }

    void cancel() {
        cancelled = true;
    }

    boolean cancelled() {
        return cancelled;
    }

    /** Takes {@code gas} for host work, or ends the call out of gas. */
    void charge(long gas) {
        long left = getValue();
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
