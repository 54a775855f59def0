package cloister.proto;

/**
 * An event with where it happened: {@code txIndex} is the index of the transaction in its block, or
 * {@link #BLOCK} for events of the block itself.
 */
public record EventRecord(int txIndex, Event event) {
    public static final int BLOCK = -1;
}
