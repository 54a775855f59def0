package cloister.chain.runtime.computation;

/**
 * A worker's mining state: {@code READY} (registered, not computing) → {@code IDLE} (computing, answering its
 * heartbeats; Phala's name) ⇄ {@code UNRESPONSIVE} (missed a heartbeat window; V falls) → {@code COOLING_DOWN}
 * (stopped; its stake can be reclaimed after the cooldown) → {@code READY}.
 */
public enum MiningState {
    READY, IDLE, UNRESPONSIVE, COOLING_DOWN;

    /** The lower-case word the API and CLI print. */
    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
