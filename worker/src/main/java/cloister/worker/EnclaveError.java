package cloister.worker;

import cloister.common.Reason;

/** Why an ecall failed as a whole. The message never holds key material, plaintext or contract state. */
public enum EnclaveError implements Reason {
    /** The request is not a canonical {@link EnclaveCall}. */
    MALFORMED_CALL,
    /** Any call but init before init. */
    NOT_INITIALIZED,
    /** Init again with other parameters than the first one of this process. */
    ALREADY_INITIALIZED,
    /** The sealed keys or state belong to another network (genesis hash). */
    WRONG_NETWORK,
    /** A sealed blob does not open here: sealed by another measurement or machine, or altered. */
    SEALED_ELSEWHERE,
    /** A sealed blob opens but does not decode (a bug, or a blob of a newer format). */
    STATE_CORRUPT,
    /** The storage watchdog refused the call (file not assigned, bad manifest, no round done yet, slot reported). */
    STORAGE_REFUSED,
    /** No such benchmark to report: none is requested, another request replaced it, or its workload has not run. */
    NO_BENCHMARK,
    /** A bug inside the enclave; details stay inside. */
    INTERNAL
}
