package cloister.worker;

import cloister.tee.EnclavePlatform;
import cloister.worker.enclave.WorkerEnclave;

/** Starts the enclave side. Today only in-process (the {@code sim} platform, or a platform running this JVM inside a TEE). */
public final class EnclaveLoader {
    private EnclaveLoader() {}

    /**
     * The worker enclave running in this process on {@code platform}, persisting through {@code host}. It is not
     * initialized yet: the first call is {@link EnclaveCall.Init}.
     */
    public static Enclave inProcess(EnclavePlatform platform, EnclaveHost host) {
        return WorkerEnclave.create(platform, host);
    }
}
