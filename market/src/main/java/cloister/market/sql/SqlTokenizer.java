package cloister.market.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Splits a buyer's SQL into tokens. Refuses comments and characters that are not part of any accepted query. */
final class SqlTokenizer {
    enum Kind {
        /** An unquoted word (keyword or identifier), lower-cased. */
        WORD,
        /** A "quoted" or `quoted` identifier (refused by the parser, with a reason). */
        QUOTED,
        /** A 'string' literal, quotes removed and '' undoubled. */
        STRING,
        NUMBER,
        SYMBOL,
        END
    }

    /** A token; {@code position} is 1-based, in characters of the submitted text. */
    record Token(Kind kind, String text, int position) {
        boolean isWord(String word) {
            return kind == Kind.WORD && text.equals(word);
        }

        boolean isSymbol(String symbol) {
            return kind == Kind.SYMBOL && text.equals(symbol);
        }

        /** The token as a buyer would recognise it in a message. */
        String shown() {
            return switch (kind) {
                case WORD -> text;
                case QUOTED -> "\"" + text + "\"";
                case STRING -> "'" + text + "'";
                case NUMBER, SYMBOL -> text;
                case END -> "the end of the query";
            };
        }
    }

    private static final String[] TWO_CHAR = {"<>", "!=", "<=", ">=", "||", "::", "->", "=>", "==", "**", "<<", ">>", ":="};
    private static final String ONE_CHAR = "(),*;=<>.+-/%:[]{}?$|&^~@#!";

    private SqlTokenizer() {}

    static List<Token> tokenize(String sql) {
        List<Token> out = new ArrayList<>();
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
                i++;
            } else if ((c == '-' || c == '/') && i + 1 < n && sql.charAt(i + 1) == (c == '-' ? '-' : '*')) {
                throw new SqlParser.Refusal(SqlRefusal.NOT_ALLOWED, "a comment at position " + (i + 1)
                        + ": comments are not accepted (they can hide text from a reader); send the query alone");
            } else if (isWordStart(c)) {
                int start = i;
                while (i < n && isWordPart(sql.charAt(i))) {
                    i++;
                }
                out.add(new Token(Kind.WORD, sql.substring(start, i).toLowerCase(Locale.ROOT), start + 1));
            } else if (isDigit(c) || c == '.' && i + 1 < n && isDigit(sql.charAt(i + 1))) {
                i = number(sql, i, out);
            } else if (c == '\'') {
                i = quoted(sql, i, '\'', Kind.STRING, out);
            } else if (c == '"' || c == '`') {
                i = quoted(sql, i, c, Kind.QUOTED, out);
            } else {
                String two = i + 1 < n ? sql.substring(i, i + 2) : "";
                String symbol = null;
                for (String t : TWO_CHAR) {
                    if (t.equals(two)) {
                        symbol = t;
                    }
                }
                if (symbol == null && ONE_CHAR.indexOf(c) >= 0) {
                    symbol = String.valueOf(c);
                }
                if (symbol == null) {
                    throw new SqlParser.Refusal(SqlRefusal.MALFORMED_SQL, "unexpected character "
                            + describe(sql.codePointAt(i)) + " at position " + (i + 1));
                }
                out.add(new Token(Kind.SYMBOL, symbol, i + 1));
                i += symbol.length();
            }
        }
        out.add(new Token(Kind.END, "", n + 1));
        return out;
    }

    private static int number(String sql, int start, List<Token> out) {
        int n = sql.length();
        int i = start;
        while (i < n && isDigit(sql.charAt(i))) {
            i++;
        }
        if (i < n && sql.charAt(i) == '.') {
            i++;
            while (i < n && isDigit(sql.charAt(i))) {
                i++;
            }
        }
        if (i < n && (sql.charAt(i) == 'e' || sql.charAt(i) == 'E')) {
            int e = i + 1;
            if (e < n && (sql.charAt(e) == '+' || sql.charAt(e) == '-')) {
                e++;
            }
            if (e < n && isDigit(sql.charAt(e))) {
                i = e;
                while (i < n && isDigit(sql.charAt(i))) {
                    i++;
                }
            }
        }
        if (i < n && (isWordPart(sql.charAt(i)) || sql.charAt(i) == '.')) {
            throw new SqlParser.Refusal(SqlRefusal.MALFORMED_SQL, "malformed number at position " + (start + 1)
                    + ": write numbers as 42, 3.5 or 1e6");
        }
        out.add(new Token(Kind.NUMBER, sql.substring(start, i), start + 1));
        return i;
    }

    private static int quoted(String sql, int start, char quote, Kind kind, List<Token> out) {
        StringBuilder sb = new StringBuilder();
        int i = start + 1;
        while (true) {
            if (i >= sql.length()) {
                throw new SqlParser.Refusal(SqlRefusal.MALFORMED_SQL, (kind == Kind.STRING ? "the string" : "the quoted name")
                        + " starting at position " + (start + 1) + " is not closed with " + quote);
            }
            char c = sql.charAt(i);
            if (c == quote) {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
                    sb.append(quote);
                    i += 2;
                    continue;
                }
                out.add(new Token(kind, sb.toString(), start + 1));
                return i + 1;
            }
            sb.append(c);
            i++;
        }
    }

    private static String describe(int codePoint) {
        String hex = String.format(Locale.ROOT, "U+%04X", codePoint);
        return codePoint >= 0x20 && codePoint != 0x7f && !Character.isISOControl(codePoint)
                ? "'" + new String(Character.toChars(codePoint)) + "' (" + hex + ")" : hex;
    }

    private static boolean isWordStart(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_';
    }

    private static boolean isWordPart(char c) {
        return isWordStart(c) || isDigit(c);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
