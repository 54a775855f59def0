package cloister.chain.runtime;

import cloister.proto.DispatchError;

/** The result of dispatching a call: success, or a {@link DispatchError} with a deterministic message. */
public record DispatchOutcome(DispatchError error, String message) {
    public static final DispatchOutcome OK = new DispatchOutcome(null, "");

    public static DispatchOutcome fail(DispatchError error, String message) {
        return new DispatchOutcome(error, message);
    }

    public boolean ok() {
        return error == null;
    }
}
