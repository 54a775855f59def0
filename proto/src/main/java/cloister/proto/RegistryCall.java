package cloister.proto;

/** Calls of the {@code registry} runtime module (module tag 0x02): worker registration and worker egress. */
public sealed interface RegistryCall extends Call {
    /**
     * Registers a worker. The sender must be {@code info.operator()}; the evidence's report data must be
     * {@code info.reportData()}.
     */
    record RegisterWorker(WorkerInfo info, AttestationEvidence evidence) implements RegistryCall {
        @Override
        public String name() {
            return "registry.registerWorker";
        }
    }

    /** Relays a worker's signed egress message; any account may relay (it pays the fee). */
    record SubmitWorkerMessage(SignedWorkerMessage message) implements RegistryCall {
        @Override
        public String name() {
            return "registry.submitWorkerMessage";
        }
    }
}
