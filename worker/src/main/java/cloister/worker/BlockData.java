package cloister.worker;

import cloister.proto.BlockHeader;
import cloister.proto.InboundMessage;
import java.util.List;

/**
 * One block as a worker syncs it: the encoded header and the encoded list of the block's worker messages
 * ({@link InboundMessage#encodeList}). The enclave verifies both; whoever serves them is not trusted.
 */
public record BlockData(byte[] header, byte[] messages) {
    /** The largest message list the enclave accepts for one block. */
    public static final int MAX_MESSAGES_BYTES = 16 * 1024 * 1024;

    public BlockData {
        header = header.clone();
        messages = messages.clone();
    }

    public static BlockData of(BlockHeader header, List<InboundMessage> messages) {
        return new BlockData(header.encode(), InboundMessage.encodeList(messages));
    }

    @Override
    public byte[] header() {
        return header.clone();
    }

    @Override
    public byte[] messages() {
        return messages.clone();
    }

    /** For the enclave's own decoding, without copies. */
    byte[] headerRaw() {
        return header;
    }

    byte[] messagesRaw() {
        return messages;
    }
}
