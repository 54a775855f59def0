package cloister.proto;

/** Calls of the {@code contracts} runtime module (module tag 0x03). */
public sealed interface ContractsCall extends Call {
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
