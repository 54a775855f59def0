package cloister.worker.enclave.contract;

/** What a command or a query did: succeeded (with output bytes), or was rejected with a reason word and message. */
public sealed interface ContractResult {
    /** Success; {@code output} is the query's answer (commands return empty output). */
    record Ok(byte[] output) implements ContractResult {
        public Ok {
            output = output.clone();
        }

        @Override
        public byte[] output() {
            return output.clone();
        }

        @Override
        public String toString() {
            return "Ok[" + output.length + " bytes]";
        }
    }

    /**
     * Rejected, and nothing changed. {@code code} is an upper-snake-case word; {@code message} is for the sender and
     * must not quote the command's plaintext or anyone's state (outcomes are public).
     */
    record Rejected(String code, String message) implements ContractResult {}

    static ContractResult ok() {
        return new Ok(new byte[0]);
    }

    static ContractResult ok(byte[] output) {
        return new Ok(output);
    }

    static ContractResult reject(String code, String message) {
        return new Rejected(code, message);
    }
}
