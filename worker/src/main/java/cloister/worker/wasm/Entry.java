package cloister.worker.wasm;

import cloister.chain.wasm.HostAbi;
/** Which export of a contract a call runs. */
public enum Entry {
    /** The constructor ({@code init}), once at instantiation; a contract without one is instantiated as is. */
    INIT(HostAbi.Export.INIT),
    /** A command ({@code call}): may write state, emit events and request transfers. */
    CALL(HostAbi.Export.CALL),
    /** A query ({@code query}): read-only; writes, events and transfers trap. */
    QUERY(HostAbi.Export.QUERY);

    private final HostAbi.Export export;

    Entry(HostAbi.Export export) {
        this.export = export;
    }

    public HostAbi.Export export() {
        return export;
    }

    /** Whether the call may change anything. */
    public boolean mutating() {
        return this != QUERY;
    }
}
