package cloister.sdk;

import cloister.crypto.AccountId;
import cloister.crypto.X25519PublicKey;
import cloister.proto.WorkerId;
import java.util.Optional;

/**
 * A registered worker as the chain records it.
 *
 * @param platform           {@code sim}, {@code sgx} or {@code tdx}
 * @param measurement        hex of the attested code measurement
 * @param measurementAllowed whether that measurement is still on the chain's allowlist
 * @param endpoint           where it serves encrypted queries, if it announced one
 */
public record RegisteredWorker(WorkerId id, X25519PublicKey ecdhKey, AccountId operator, String runtimeVersion,
                               String platform, String measurement, boolean measurementAllowed, int confidenceLevel,
                               String tcbStatus, boolean gatekeeper, long registeredAt, Optional<String> endpoint) {
    /** True for {@code sim}: no hardware protection, whatever the attestation says. */
    public boolean simulated() {
        return platform.equals("sim");
    }
}
