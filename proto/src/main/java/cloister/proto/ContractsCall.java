package cloister.proto;

import cloister.common.Hash;

/**
 * Calls of the {@code contracts} runtime module (module tag 0x03): commands for confidential contracts, and the
 * life cycle of WebAssembly contracts (upload code, instantiate, upgrade, call with gas).
 */
public sealed interface ContractsCall extends Call {
    /** Largest WebAssembly module the chain stores. */
    int MAX_CODE = 128 * 1024;
    int MAX_SALT = 32;

    /** Stores a WebAssembly module by its SHA-256; refused if it is not valid Wasm or imports what the ABI lacks. */
    record UploadCode(byte[] code) implements ContractsCall {
        public UploadCode {
            if (code.length > MAX_CODE + 1) {
                throw new IllegalArgumentException("code of " + code.length + " bytes");
            }
            code = code.clone();
        }

        @Override
        public byte[] code() {
            return code.clone();
        }

        @Override
        public String name() {
            return "contracts.uploadCode";
        }
    }

    /**
     * Instantiates uploaded code in a cluster. Contract id = SHA-256("cloister/contract/wasm/v1" ‖ deployer ‖ code
     * hash ‖ u32 cluster ‖ salt). {@code sealedArgs}: the constructor's input, HPKE-sealed to the cluster's public
     * key (empty for none). The sender pays up to {@code gasLimit × gasPrice}; unused gas is refunded at settlement.
     */
    record Instantiate(Hash codeHash, int cluster, byte[] salt, byte[] sealedArgs, long gasLimit, long gasPrice) implements ContractsCall {
        public Instantiate {
            if (salt.length > MAX_SALT || sealedArgs.length > InboundMessage.MAX_COMMAND || gasLimit < 0 || gasPrice < 0) {
                throw new IllegalArgumentException("salt ≤ 32 bytes, arguments ≤ 128 KiB, gas not negative");
            }
            salt = salt.clone();
            sealedArgs = sealedArgs.clone();
        }

        @Override
        public byte[] salt() {
            return salt.clone();
        }

        @Override
        public byte[] sealedArgs() {
            return sealedArgs.clone();
        }

        @Override
        public String name() {
            return "contracts.instantiate";
        }
    }

    /** Points a contract at new code; only its owner may. Its state is kept. */
    record Upgrade(ContractId contract, Hash codeHash) implements ContractsCall {
        @Override
        public String name() {
            return "contracts.upgrade";
        }
    }

    /** An encrypted call of a WebAssembly contract (sealed as a command), with a gas limit and price. */
    record CallContract(ContractId contract, byte[] sealed, long gasLimit, long gasPrice) implements ContractsCall {
        public CallContract {
            if (sealed.length > InboundMessage.MAX_COMMAND || gasLimit < 0 || gasPrice < 0) {
                throw new IllegalArgumentException("call ≤ 128 KiB, gas not negative");
            }
            sealed = sealed.clone();
        }

        @Override
        public byte[] sealed() {
            return sealed.clone();
        }

        @Override
        public String name() {
            return "contracts.call";
        }
    }

    /**
     * An encrypted command for a confidential contract: {@code sealed} is HPKE (enc ‖ ciphertext) to the contract's
     * public key, with the transaction's sender and the contract id bound as associated data (docs/keys.md). The
     * chain checks only that the contract exists; the workers of its cluster execute it in block order.
     */
    record PushCommand(ContractId contract, byte[] sealed) implements ContractsCall {
        public PushCommand {
            if (sealed.length > InboundMessage.MAX_COMMAND) {
                throw new IllegalArgumentException("command of " + sealed.length + " bytes exceeds " + InboundMessage.MAX_COMMAND);
            }
            sealed = sealed.clone();
        }

        @Override
        public byte[] sealed() {
            return sealed.clone();
        }

        @Override
        public String name() {
            return "contracts.pushCommand";
        }
    }
}
