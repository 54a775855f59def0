package cloister.worker;

import cloister.common.Hash;
import cloister.proto.CanonicalReader;
import cloister.proto.CanonicalWriter;
import cloister.proto.ContractId;

/**
 * What became of one confidential command ({@code contracts.pushCommand} transaction {@code txHash}) in this
 * worker: executed ({@code ok}), or rejected with a reason code and message. Never holds the command's plaintext.
 *
 * @param code {@code OK}, or a rejection word such as {@code UNDECRYPTABLE}, {@code MALFORMED_COMMAND}, or one of
 *             the contract's own (e.g. {@code UNKNOWN_NOTE})
 */
public record CommandOutcome(Hash txHash, ContractId contract, long height, boolean ok, String code, String message) {
    public static final int MAX_CODE = 64;
    public static final int MAX_MESSAGE = 512;

    public CommandOutcome {
        if (code.length() > MAX_CODE) {
            throw new IllegalArgumentException("outcome code too long");
        }
        if (message.length() > MAX_MESSAGE) {
            message = message.substring(0, MAX_MESSAGE);
        }
    }

    public void write(CanonicalWriter w) {
        w.hash(txHash).hash(contract.hash()).u64(height).bool(ok).string(code).string(message);
    }

    public static CommandOutcome read(CanonicalReader r) {
        return new CommandOutcome(r.hash("tx hash"), new ContractId(r.hash("contract")), r.u64("height"), r.bool("ok"),
                r.string(MAX_CODE * 4, "code"), r.string(MAX_MESSAGE * 4, "message"));
    }
}
