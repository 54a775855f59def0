package cloister.market.sql;

import java.math.BigDecimal;

/** A constant in a WHERE clause: a number or a string. The engine binds it as a parameter, never as SQL text. */
public sealed interface Literal permits Literal.Numeric, Literal.Text {

    /** The literal as canonical SQL text. */
    String sql();

    /** A number, kept exactly as written (trailing zeros stripped); finite as a double. */
    record Numeric(BigDecimal value) implements Literal {
        public Numeric {
            value = value.stripTrailingZeros();
        }

        @Override
        public String sql() {
            return GuardedQuery.number(value);
        }
    }

    /** A string; in SQL text a quote is doubled. */
    record Text(String value) implements Literal {
        public Text {
            if (value == null) {
                throw new IllegalArgumentException("a text literal has a value");
            }
        }

        @Override
        public String sql() {
            return "'" + value.replace("'", "''") + "'";
        }
    }
}
