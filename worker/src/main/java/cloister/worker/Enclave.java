package cloister.worker;

/**
 * The enclave as its host sees it: one byte-level entry point (an "ecall"), nothing else. The host never holds an
 * object of the enclave side, only this; requests and replies are the canonical encodings of {@link EnclaveCall}
 * and {@link EnclaveReply} (docs/enclave.md), so the same host code drives an in-process sim enclave today and an
 * enclave behind a real TEE boundary (SGX ecall, TDX vsock) later.
 *
 * <p>An implementation never throws for a bad request: it answers {@link EnclaveReply.Failure} with a reason and a
 * message that carries no secret. Thread-safe: queries may run while a sync call is in progress (they wait).
 */
public interface Enclave {
    /** One ecall: an encoded {@link EnclaveCall} in, an encoded {@link EnclaveReply} out. */
    byte[] call(byte[] request);
}
