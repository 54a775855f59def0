package cloister.worker;

/** An ecall answered {@link EnclaveReply.Failure}. Carries the reason and the enclave's message (never a secret). */
public final class EnclaveException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final EnclaveError reason;

    public EnclaveException(EnclaveError reason, String message) {
        super(reason.code() + ": " + message);
        this.reason = reason;
    }

    public EnclaveError reason() {
        return reason;
    }
}
