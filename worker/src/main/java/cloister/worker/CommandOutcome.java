package cloister.worker;

import cloister.common.Hash;
import cloister.proto.CanonicalReader;
import cloister.proto.CanonicalWriter;
import cloister.proto.ContractId;

/**
 * What became of one confidential command in this worker — a system contract's {@code contracts.pushCommand}, or a
 * WebAssembly contract's {@code contracts.call} or constructor ({@code contracts.instantiate}), by transaction
 * {@code txHash}: executed ({@code ok}), or rejected with a reason code and message. Never holds the command's
 * plaintext or output.
 *
 * @param code    {@code OK}, or a rejection word such as {@code UNDECRYPTABLE}, {@code MALFORMED_COMMAND}, one of
 *                the contract's own (e.g. {@code UNKNOWN_NOTE}), or for WebAssembly the call's status
 *                ({@code REVERTED}, {@code OUT_OF_GAS}, {@code TRAP}, {@code MEMORY_LIMIT}, {@code INVALID_MODULE})
 * @param message empty, or why (for {@code REVERTED}, the contract's own revert message: it is public)
 * @param gasUsed gas the WebAssembly call used (what the cluster reports for settlement); 0 for system contracts
 */
public record CommandOutcome(Hash txHash, ContractId contract, long height, boolean ok, String code, String message, long gasUsed) {
    public static final int MAX_CODE = 64;
    public static final int MAX_MESSAGE = 512;

    public CommandOutcome {
        if (code.length() > MAX_CODE) {
            throw new IllegalArgumentException("outcome code too long");
        }
        if (message.length() > MAX_MESSAGE) {
            message = message.substring(0, MAX_MESSAGE);
        }
        if (gasUsed < 0) {
            throw new IllegalArgumentException("gas used must not be negative");
        }
    }

    public void write(CanonicalWriter w) {
        w.hash(txHash).hash(contract.hash()).u64(height).bool(ok).string(code).string(message).u64(gasUsed);
    }

    public static CommandOutcome read(CanonicalReader r) {
        return new CommandOutcome(r.hash("tx hash"), new ContractId(r.hash("contract")), r.u64("height"), r.bool("ok"),
                r.string(MAX_CODE * 4, "code"), r.string(MAX_MESSAGE * 4, "message"), r.u64("gas used"));
    }
}
