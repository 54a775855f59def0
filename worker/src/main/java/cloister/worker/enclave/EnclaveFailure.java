package cloister.worker.enclave;

import cloister.worker.EnclaveError;

/** An ecall that fails as a whole, with a reason for the reply. The message never carries a secret. */
final class EnclaveFailure extends Exception {
    private static final long serialVersionUID = 1L;
    private final EnclaveError reason;

    EnclaveFailure(EnclaveError reason, String message) {
        super(message);
        this.reason = reason;
    }

    EnclaveError reason() {
        return reason;
    }
}
