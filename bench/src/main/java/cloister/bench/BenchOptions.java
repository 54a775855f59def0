package cloister.bench;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The options of one benchmark program: {@code --name value} (or {@code --name=value}) pairs, bare flags and
 * {@code --help}. A mistake ends the program with a one-line error and exit status 2, before any work starts.
 */
final class BenchOptions {
    private final String bench;
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Set<String> flags;
    private final Set<String> present = new HashSet<>();
    private final boolean help;

    private BenchOptions(String bench, String[] args, Set<String> valued, Set<String> flags) {
        this.bench = bench;
        this.flags = flags;
        boolean h = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                h = true;
                continue;
            }
            String name = a;
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            if (flags.contains(name)) {
                if (value != null) {
                    fail("option " + name + " takes no value");
                }
                present.add(name);
                continue;
            }
            if (!valued.contains(name)) {
                fail(a.startsWith("-") ? "unknown option " + name : "unexpected argument '" + a + "'");
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    fail("option " + name + " needs a value");
                }
                value = args[++i];
            }
            if (values.put(name, value) != null) {
                fail("option " + name + " is given twice");
            }
        }
        this.help = h;
    }

    static BenchOptions parse(String bench, String[] args, Set<String> valued, Set<String> flags) {
        return new BenchOptions(bench, args, valued, flags);
    }

    boolean help() {
        return help;
    }

    boolean flag(String name) {
        if (!flags.contains(name)) {
            throw new IllegalArgumentException("not a flag: " + name);
        }
        return present.contains(name);
    }

    /** An integer option in {@code [min, max]}; underscores and commas are allowed as digit separators. */
    int integer(String name, int def, int min, int max) {
        String v = values.get(name);
        if (v == null) {
            return def;
        }
        long n;
        try {
            n = Long.parseLong(v.replace("_", "").replace(",", ""));
        } catch (NumberFormatException e) {
            fail("option " + name + " needs a whole number, got '" + v + "'");
            return def;
        }
        if (n < min || n > max) {
            fail(String.format(Locale.ROOT, "option %s must be between %,d and %,d, got %s", name, min, max, v));
        }
        return (int) n;
    }

    /** One of {@code allowed}. */
    String choice(String name, String def, String... allowed) {
        String v = values.get(name);
        if (v == null) {
            return def;
        }
        for (String a : allowed) {
            if (a.equals(v)) {
                return v;
            }
        }
        fail("option " + name + " must be one of " + String.join(", ", allowed) + "; got '" + v + "'");
        return def;
    }

    /** Ends the program: a one-line error on stderr, exit status 2. */
    void fail(String message) {
        System.err.println("error: " + message + " (see ./cloister bench " + bench + " --help)");
        System.exit(2);
    }
}
