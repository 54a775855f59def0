package cloister.tee;

import java.util.Arrays;

/**
 * Which trusted execution environment produced an attestation. The wire code is what quotes and registrations
 * carry (docs/tee.md); the word is what users see.
 */
public enum Platform {
    /** The software stand-in: no hardware protection at all. Quotes are signed by a per-network simulated root. */
    SIM(1, "sim", false),
    /** Intel SGX, ECDSA (DCAP) quote version 3. */
    SGX(2, "sgx", true),
    /** Intel TDX, ECDSA (DCAP) quote version 4. */
    TDX(3, "tdx", true);

    private final int code;
    private final String word;
    private final boolean hardwareProtected;

    Platform(int code, String word, boolean hardwareProtected) {
        this.code = code;
        this.word = word;
        this.hardwareProtected = hardwareProtected;
    }

    public int code() {
        return code;
    }

    public String word() {
        return word;
    }

    /** False for {@link #SIM}: its "enclave" is ordinary process memory that the host can read. */
    public boolean hardwareProtected() {
        return hardwareProtected;
    }

    /** The sentence every user-facing surface shows next to a sim worker. */
    public static final String SIM_WARNING =
            "platform 'sim' is a software stand-in for a TEE: it gives NO hardware protection";

    public static Platform ofCode(int code) {
        return Arrays.stream(values()).filter(p -> p.code == code).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown TEE platform code " + code));
    }

    public static Platform ofWord(String word) {
        return Arrays.stream(values()).filter(p -> p.word.equals(word)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown TEE platform '" + word + "' (sim, sgx, tdx)"));
    }
}
