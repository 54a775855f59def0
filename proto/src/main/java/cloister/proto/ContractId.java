package cloister.proto;

import cloister.common.Hash;
import cloister.crypto.Sha256;
import java.nio.charset.StandardCharsets;

/**
 * A confidential contract's id (32 bytes). System contracts: SHA-256("cloister/contract/system/v1" ‖ name ‖ cluster
 * u32) — so a system contract has the same id on every network that deploys it to the same cluster.
 */
public record ContractId(Hash hash) implements Comparable<ContractId> {
    private static final byte[] SYSTEM_DOMAIN = "cloister/contract/system/v1".getBytes(StandardCharsets.US_ASCII);

    public static ContractId of(byte[] bytes) {
        return new ContractId(Hash.of(bytes));
    }

    public static ContractId parse(String hex) {
        return new ContractId(Hash.fromHex(hex.startsWith("0x") ? hex.substring(2) : hex));
    }

    public static ContractId system(String name, int cluster) {
        byte[] tail = new CanonicalWriter(64).string(name).u32(cluster).toByteArray();
        return new ContractId(Sha256.hash(SYSTEM_DOMAIN, tail));
    }

    private static final byte[] WASM_DOMAIN = "cloister/contract/wasm/v1".getBytes(StandardCharsets.US_ASCII);

    /** A WebAssembly contract's id: SHA-256("cloister/contract/wasm/v1" ‖ deployer ‖ code hash ‖ u32 cluster ‖ salt). */
    public static ContractId wasm(cloister.crypto.AccountId deployer, Hash codeHash, int cluster, byte[] salt) {
        byte[] tail = new CanonicalWriter(80 + salt.length).account(deployer).hash(codeHash).u32(cluster).fixed(salt).toByteArray();
        return new ContractId(Sha256.hash(WASM_DOMAIN, tail));
    }

    public byte[] bytes() {
        return hash.bytes();
    }

    public String hex() {
        return hash.hex();
    }

    @Override
    public int compareTo(ContractId o) {
        return hash.compareTo(o.hash);
    }

    @Override
    public String toString() {
        return hash.hex();
    }
}
