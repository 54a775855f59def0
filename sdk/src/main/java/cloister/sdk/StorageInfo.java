package cloister.sdk;

import java.util.Optional;

/**
 * The storage market's clock and the node's staging gateway.
 *
 * @param slot           the current slot
 * @param slotStart      its first block
 * @param slotBlocks     its length in blocks
 * @param nextSlotAt     the height at which the next slot begins (and this one is settled)
 * @param head           the node's head height when asked
 * @param stagingGateway where this node accepts a file's blocks before providers fetch them (an IPFS-style block API)
 */
public record StorageInfo(long slot, long slotStart, int slotBlocks, long nextSlotAt, long head, int providers, int orders,
                          Optional<String> stagingGateway) {}
