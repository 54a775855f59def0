package cloister.proto;

/**
 * The dev governance module (module tag 0x00): the sudo account, named in genesis, may dispatch
 * {@link GovernanceCall}s. Production governance replaces the sudo account with a vote, not the calls.
 */
public sealed interface SudoCall extends Call {
    record Sudo(GovernanceCall call) implements SudoCall {
        @Override
        public String name() {
            return "sudo.sudo";
        }
    }
}
