package cloister.node.cli;

import picocli.CommandLine.Option;

/** Options every command takes. */
final class GlobalOptions {
    @Option(names = "--node", paramLabel = "URL",
            description = "Node API URL (default: $CLOISTER_NODE or http://127.0.0.1:9933).")
    String node;

    @Option(names = "--json", description = "Print machine-readable JSON.")
    boolean json;

    @Option(names = "--verbose", description = "Show stack traces of unexpected errors.")
    boolean verbose;
}
