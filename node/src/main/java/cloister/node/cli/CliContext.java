package cloister.node.cli;

import cloister.sdk.Keystore;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

/**
 * What a command may touch of its surroundings, injected so tests run the CLI in-process: output streams, the
 * environment, and an interactive passphrase prompt (absent without a terminal).
 *
 * @param prompt reads a line without echo, or null when there is no console
 */
record CliContext(PrintStream out, PrintStream err, Map<String, String> env, Function<String, char[]> prompt) {
    String env(String name, String fallback) {
        String v = env.get(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    /** {@code $CLOISTER_HOME}, default {@code ~/.cloister}. */
    Path home() {
        String h = env.get("CLOISTER_HOME");
        return h != null && !h.isBlank() ? Path.of(h) : Path.of(System.getProperty("user.home"), ".cloister");
    }

    Keystore keystore() {
        return new Keystore(home().resolve("keys"));
    }
}
