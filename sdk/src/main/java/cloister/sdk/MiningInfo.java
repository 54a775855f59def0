package cloister.sdk;

/**
 * Mining on a chain: the constants a miner plans with and the module's totals (amounts in base units).
 *
 * @param minStakePerSqrtP k in the minimum stake k·√P
 * @param cooldownBlocks   blocks between stopping a worker and reclaiming its stake
 * @param sumShares        Σshare of the idle workers (the budget of a block is split by share)
 * @param computing        workers computing (idle or unresponsive)
 * @param issued           budget issued so far; {@code paid} what heartbeats paid out of it (pools and treasury)
 */
public record MiningInfo(long head, int blocksPerHour, long minStakePerSqrtP, long cooldownBlocks, int challengeWindow,
                         long withdrawGraceBlocks, int treasuryShareMillis, long budgetNow, long sumShares, long computing, long issued,
                         long paid, int workers, long pools) {}
