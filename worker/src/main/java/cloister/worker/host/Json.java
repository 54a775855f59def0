package cloister.worker.host;

/** The few JSON bits the worker's HTTP endpoint writes (the worker module carries no JSON library). */
final class Json {
    private final StringBuilder sb = new StringBuilder("{");
    private boolean first = true;

    Json field(String name, String value) {
        return raw(name, value == null ? "null" : quote(value));
    }

    Json field(String name, long value) {
        return raw(name, Long.toString(value));
    }

    Json field(String name, boolean value) {
        return raw(name, Boolean.toString(value));
    }

    /** {@code value} is already JSON. */
    Json raw(String name, String value) {
        if (!first) {
            sb.append(',');
        }
        first = false;
        sb.append(quote(name)).append(':').append(value);
        return this;
    }

    @Override
    public String toString() {
        return sb + "}";
    }

    static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    static String array(Iterable<String> jsonValues) {
        StringBuilder out = new StringBuilder("[");
        boolean f = true;
        for (String v : jsonValues) {
            if (!f) {
                out.append(',');
            }
            f = false;
            out.append(v);
        }
        return out.append(']').toString();
    }
}
