package cloister.worker.wasm;

/**
 * Ends a running call from the host side: thrown by host functions and by the gas meter, caught by the engine.
 * Carries no stack trace: it is control flow, and a contract can cause many.
 */
final class HostStop extends RuntimeException {
    private static final long serialVersionUID = 1L;

    enum Kind {
        /** The contract called revert. */
        REVERT,
        /** A host function could not be paid for. */
        OUT_OF_GAS,
        /** The contract misused the ABI (bad pointer, oversized key, write in a query, ...). */
        TRAP,
        /** The engine cancelled the call (a query past its wall-time cap). */
        CANCELLED
    }

    final Kind kind;

    HostStop(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }
}
