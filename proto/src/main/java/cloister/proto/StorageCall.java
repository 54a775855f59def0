package cloister.proto;

import cloister.common.Hash;
import java.nio.charset.StandardCharsets;

/**
 * Calls of the {@code storage} runtime module (module tag 0x04, the storage market): providers register, owners
 * place, renew and cancel orders. A file is named by its manifest's CID — CIDv1, raw codec, sha2-256 — and the
 * chain keeps only that CID's 32-byte SHA-256 digest ({@code file}); the API and CLI print the full CID.
 */
public sealed interface StorageCall extends Call {
    /** The most replicas an order may ask for. */
    int MAX_REPLICAS = 16;
    /** The longest order, in slots (renewals extend it by at most this much each). */
    int MAX_SLOTS = 1_000_000;
    /** The largest wrapped data key an order carries (HPKE: 32-byte enc + 32-byte key + 16-byte tag = 80). */
    int MAX_WRAPPED_KEY = 256;
    /** The largest file (stored bytes: the chunks' ciphertext and the manifest) an order may be for. */
    long MAX_FILE_BYTES = 4L * 1024 * 1024 * 1024 + 64L * 1024 * 1024;
    int MAX_URL = 256;

    /**
     * Registers (or updates) a storage provider: {@code watchdog} is a registered, attested worker whose enclave runs
     * the watchdog and signs the work reports; the sender must be that worker's operator. {@code capacity} is the
     * bytes it offers; {@code endpoint} is where its IPFS-compatible block gateway is reachable (http(s) URL).
     */
    record RegisterProvider(WorkerId watchdog, long capacity, String endpoint) implements StorageCall {
        public RegisterProvider {
            if (capacity < 0 || endpoint.getBytes(StandardCharsets.UTF_8).length > MAX_URL) {
                throw new IllegalArgumentException("capacity not negative, endpoint at most " + MAX_URL + " bytes");
            }
        }

        @Override
        public String name() {
            return "storage.registerProvider";
        }
    }

    /**
     * Orders {@code replicas} replicas of {@code file} ({@code size} stored bytes) for {@code slots} slots at
     * {@code pricePerReplicaSlot} units paid to each provider per slot in which its replica is verified. The whole
     * amount (price × replicas × slots) is escrowed now; what is not earned is refunded at expiry or cancellation.
     * {@code wrappedKey}: the file's data key HPKE-wrapped to the owner (ciphertext; may be empty).
     */
    record PlaceOrder(Hash file, long size, int replicas, int slots, long pricePerReplicaSlot, byte[] wrappedKey) implements StorageCall {
        public PlaceOrder {
            if (wrappedKey.length > MAX_WRAPPED_KEY || size < 0 || replicas < 0 || slots < 0 || pricePerReplicaSlot < 0) {
                throw new IllegalArgumentException("wrapped key at most " + MAX_WRAPPED_KEY + " bytes, no negative numbers");
            }
            wrappedKey = wrappedKey.clone();
        }

        @Override
        public byte[] wrappedKey() {
            return wrappedKey.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PlaceOrder p && p.file.equals(file) && p.size == size && p.replicas == replicas && p.slots == slots
                    && p.pricePerReplicaSlot == pricePerReplicaSlot && java.util.Arrays.equals(p.wrappedKey, wrappedKey);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(file, size, replicas, slots, pricePerReplicaSlot) * 31 + java.util.Arrays.hashCode(wrappedKey);
        }

        @Override
        public String name() {
            return "storage.placeOrder";
        }
    }

    /** Extends an order by {@code slots} slots; the sender pays price × replicas × slots into its escrow. */
    record Renew(Hash file, int slots) implements StorageCall {
        @Override
        public String name() {
            return "storage.renew";
        }
    }

    /** The owner cancels an order: replicas are released and the unearned escrow refunded. */
    record Cancel(Hash file) implements StorageCall {
        @Override
        public String name() {
            return "storage.cancel";
        }
    }
}
