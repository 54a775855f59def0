package cloister.market.sql;

import cloister.market.data.Column;
import cloister.market.data.ColumnType;
import cloister.market.data.Schema;
import cloister.market.sql.SqlTokenizer.Kind;
import cloister.market.sql.SqlTokenizer.Token;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Recursive-descent parser for the one accepted query shape (see {@link GuardedSql}). It checks names and types as
 * it goes, so the first problem in reading order is the one reported; a selected bare column is judged once GROUP BY
 * is known. Refusals travel as {@link Refusal} inside the parser and leave {@link GuardedSql#check} as values.
 */
final class SqlParser {
    /** A refusal on its way out of the recursive descent; never escapes {@link GuardedSql#check}. */
    static final class Refusal extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final SqlRefusal reason;

        Refusal(SqlRefusal reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }
    }

    private static final String JOINS = "joins are not allowed: a query reads one dataset";
    private static final String SET_OPS = "UNION, INTERSECT and EXCEPT are not allowed: send one SELECT";
    private static final String LIMITS = "LIMIT, OFFSET and sampling are not allowed: the result is every group large enough to release";
    private static final String WINDOWS = "window functions (OVER, PARTITION BY, WINDOW, QUALIFY) and FILTER are not allowed";
    private static final String PATTERNS = "pattern matching (LIKE, ILIKE, GLOB, SIMILAR TO) is not allowed: use =, IN or BETWEEN";
    private static final String SUBQUERY = "subqueries are not allowed: a query is one SELECT over one dataset";
    private static final String GROUPING = "GROUPING SETS, CUBE and ROLLUP are not allowed: list the GROUP BY columns";
    private static final String STATEMENT = " statements are not allowed: only one aggregate SELECT is accepted";
    private static final String OUTSIDE = " reaches files, databases, extensions or settings and is never allowed: only one aggregate SELECT is accepted";
    private static final String AGGREGATES = "COUNT, SUM, AVG, MIN, MAX, QUANTILE and MEDIAN";
    private static final Set<String> OPERATORS = Set.of("+", "-", "*", "/", "%", "||", "::", "->", "**", "^", "&", "|",
            "<<", ">>", "[", "~", "!", "@", "#", "=>", ":=");

    /** Words that name a feature we refuse, with the reason. Reached only where the grammar expects something else. */
    private static final Map<String, String> FORBIDDEN = forbidden();

    private final String sql;
    private final Schema schema;
    private final List<Token> tokens;
    private int at;

    private SqlParser(String sql, Schema schema, List<Token> tokens) {
        this.sql = sql;
        this.schema = schema;
        this.tokens = tokens;
    }

    /** @throws Refusal if the query is not of the accepted shape */
    static GuardedQuery parse(String sql, Schema schema) {
        return new SqlParser(sql, schema, SqlTokenizer.tokenize(sql)).query();
    }

    private record RawItem(SelectItem item, Token token, boolean bare) {}

    private GuardedQuery query() {
        Token first = peek();
        if (!first.isWord("select")) {
            if (first.kind() == Kind.END) {
                throw refuse(SqlRefusal.MALFORMED_SQL, "the query is empty: write SELECT …, e.g. SELECT COUNT(*) FROM survey");
            }
            if (first.kind() == Kind.WORD && FORBIDDEN.containsKey(first.text())) {
                throw notAllowed(first, FORBIDDEN.get(first.text()));
            }
            throw refuse(SqlRefusal.MALFORMED_SQL, "a query starts with SELECT; found " + first.shown() + at(first));
        }
        next();
        List<RawItem> raw = new ArrayList<>();
        do {
            if (raw.size() == GuardedSql.MAX_SELECT_ITEMS) {
                throw refuse(SqlRefusal.TOO_COMPLEX, "more than " + GuardedSql.MAX_SELECT_ITEMS + " selected values" + at(peek()));
            }
            raw.add(item());
        } while (acceptSymbol(","));
        if (!acceptWord("from")) {
            Token t = peek();
            String hint = t.kind() == Kind.WORD && !keyword(t.text()) && !FORBIDDEN.containsKey(t.text())
                    ? " (an alias needs AS: … AS " + t.text() + ")" : "";
            throw unexpected("',' or FROM", hint);
        }
        String table = table();
        Predicate where = null;
        if (acceptWord("where")) {
            where = or(1);
        }
        List<String> groupBy = new ArrayList<>();
        if (acceptWord("group")) {
            expectWord("by", "BY after GROUP");
            groupBy = groupBy();
        }
        List<SelectItem> items = new ArrayList<>();
        for (RawItem r : raw) {
            if (r.bare() && !groupBy.contains(((SelectItem.GroupColumn) r.item()).column())) {
                throw refuse(SqlRefusal.NOT_AGGREGATE, "only aggregate queries are accepted: every selected column must be "
                        + "in GROUP BY or inside " + AGGREGATES.replace(" and ", "/").replace(", ", "/")
                        + "; " + r.token().text() + at(r.token()) + " is neither");
            }
            items.add(r.item());
        }
        Set<String> names = new HashSet<>();
        for (RawItem r : raw) {
            if (!names.add(r.item().name())) {
                throw refuse(SqlRefusal.MALFORMED_SQL, "two result columns are named " + r.item().name()
                        + ": give one of them another name with AS" + at(r.token()));
            }
        }
        List<OrderKey> orderBy = new ArrayList<>();
        if (acceptWord("order")) {
            expectWord("by", "BY after ORDER");
            do {
                if (orderBy.size() == GuardedSql.MAX_SELECT_ITEMS) {
                    throw refuse(SqlRefusal.TOO_COMPLEX, "more than " + GuardedSql.MAX_SELECT_ITEMS + " ORDER BY keys" + at(peek()));
                }
                orderBy.add(orderKey(items));
            } while (acceptSymbol(","));
        }
        if (acceptSymbol(";")) {
            if (peek().kind() != Kind.END) {
                throw notAllowed(peek(), "several statements are not allowed: send one SELECT");
            }
        } else if (peek().kind() != Kind.END) {
            String expected = orderBy.isEmpty()
                    ? (groupBy.isEmpty() ? (where == null ? "WHERE, GROUP BY, " : "AND, OR, GROUP BY, ") : "',', ")
                            + "ORDER BY or the end of the query"
                    : "',', ASC, DESC or the end of the query";
            throw unexpected(expected, "");
        }
        return new GuardedQuery(sql, schema, table, items, where, groupBy, orderBy);
    }

    private RawItem item() {
        Token t = peek();
        if (t.isSymbol("*")) {
            throw refuse(SqlRefusal.NOT_AGGREGATE, "SELECT * asks for the raw rows, which never leave the enclave: "
                    + "select aggregates such as COUNT(*) or AVG(income), grouped by columns if you like"
                    + " (e.g. SELECT age_band, COUNT(*) FROM survey GROUP BY age_band)" + at(t));
        }
        SelectItem item;
        boolean bare = false;
        if (t.kind() == Kind.WORD && peekAt(1).isSymbol("(")) {
            if (AggregateFunction.ofWord(t.text()) == null) {
                throw function(t);
            }
            item = aggregate();
        } else if (t.kind() == Kind.WORD && !keyword(t.text())) {
            next();
            noQualifier(t);
            item = new SelectItem.GroupColumn(t.text(), null);
            bare = true;
        } else if (t.kind() == Kind.NUMBER || t.kind() == Kind.STRING || t.isSymbol("-") && peekAt(1).kind() == Kind.NUMBER) {
            throw refuse(SqlRefusal.NOT_AGGREGATE, "only aggregate queries are accepted: a constant (" + t.shown() + at(t)
                    + ") is neither a GROUP BY column nor an aggregate");
        } else if (t.isSymbol("(")) {
            throw notAllowed(t, peekAt(1).isWord("select") ? SUBQUERY : "expressions in parentheses are not allowed: select plain columns and aggregates");
        } else if (t.kind() == Kind.QUOTED) {
            throw quoted(t);
        } else {
            throw unexpected("a GROUP BY column or an aggregate such as COUNT(*)", "");
        }
        operators();
        if (acceptWord("as")) {
            String alias = name("a name after AS");
            item = item instanceof SelectItem.GroupColumn g ? new SelectItem.GroupColumn(g.column(), alias)
                    : ((SelectItem.Aggregate) item).withAlias(alias);
        }
        return new RawItem(item, t, bare);
    }

    /** An aggregate call; the current token is its name. */
    private SelectItem.Aggregate aggregate() {
        Token name = next();
        AggregateFunction f = AggregateFunction.ofWord(name.text());
        expectSymbol("(", "'(' after " + f.name());
        Token t = peek();
        if (t.isWord("distinct") || t.isWord("all")) {
            throw notAllowed(t, f.name() + "(" + t.text().toUpperCase(Locale.ROOT) + " …) is not allowed: aggregates count every row");
        }
        if (t.isSymbol("*")) {
            if (f != AggregateFunction.COUNT) {
                throw refuse(SqlRefusal.MALFORMED_SQL, f.name() + "(*) needs a column, e.g. " + f.name() + "(income)" + at(t));
            }
            next();
            expectSymbol(")", "')' after COUNT(*");
            return new SelectItem.Aggregate(f, null, null, null);
        }
        Token columnToken = peek();
        Column column = column();
        if (f != AggregateFunction.COUNT && column.type() == ColumnType.TEXT) {
            throw refuse(SqlRefusal.TEXT_AGGREGATE, f.name() + "(" + column.name() + ")" + at(columnToken) + ": "
                    + column.name() + " is a text column; only COUNT applies to text (group by it instead)");
        }
        BigDecimal fraction = null;
        if (f == AggregateFunction.QUANTILE) {
            expectSymbol(",", "',' and the fraction p after QUANTILE(" + column.name());
            Token p = peek();
            Literal lit = literal();
            if (!(lit instanceof Literal.Numeric num) || num.value().signum() < 0 || num.value().compareTo(BigDecimal.ONE) > 0) {
                throw refuse(SqlRefusal.MALFORMED_SQL, "QUANTILE's p is a number from 0 to 1, e.g. QUANTILE(" + column.name()
                        + ", 0.9); found " + p.shown() + at(p));
            }
            fraction = num.value();
        }
        expectSymbol(")", "')' to close " + f.name() + "(");
        Token after = peek();
        if (after.isWord("over") || after.isWord("filter")) {
            throw notAllowed(after, WINDOWS);
        }
        return new SelectItem.Aggregate(f, column.name(), fraction, null);
    }

    /** A reference to a declared column; refuses functions, subqueries, qualified and quoted names. */
    private Column column() {
        Token t = peek();
        if (t.kind() == Kind.WORD && peekAt(1).isSymbol("(")) {
            if (AggregateFunction.ofWord(t.text()) != null) {
                throw notAllowed(t, "an aggregate cannot appear here (nested aggregates, or aggregates in WHERE or GROUP BY)");
            }
            throw function(t);
        }
        if (t.isSymbol("(")) {
            throw notAllowed(t, peekAt(1).isWord("select") ? SUBQUERY : "expressions in parentheses are not allowed here: name a column");
        }
        if (t.kind() == Kind.QUOTED) {
            throw quoted(t);
        }
        if (t.kind() != Kind.WORD || keyword(t.text())) {
            throw unexpected("a column name", "");
        }
        next();
        noQualifier(t);
        return schema.column(t.text()).orElseThrow(() -> refuse(SqlRefusal.UNKNOWN_COLUMN, "unknown column " + t.text()
                + at(t) + "; the dataset's columns are " + declared()));
    }

    private String table() {
        Token t = peek();
        if (t.isSymbol("(")) {
            throw notAllowed(t, SUBQUERY);
        }
        if (t.kind() == Kind.STRING) {
            throw notAllowed(t, "reading a file in FROM is never allowed: the analysis sees only the dataset (FROM survey)");
        }
        if (t.kind() == Kind.WORD && peekAt(1).isSymbol("(")) {
            throw function(t);
        }
        if (t.kind() == Kind.QUOTED) {
            throw quoted(t);
        }
        String table = name("the dataset's name, e.g. FROM survey");
        if (peek().isSymbol(".")) {
            throw notAllowed(peek(), "qualified names (schema.table, table.column) are not allowed: name the dataset alone");
        }
        Token after = peek();
        if (after.isSymbol(",")) {
            throw notAllowed(after, JOINS);
        }
        if (after.isWord("as") || after.kind() == Kind.WORD && !keyword(after.text()) && !FORBIDDEN.containsKey(after.text())) {
            throw notAllowed(after, "table aliases are not allowed: there is one dataset, name its columns directly");
        }
        return table;
    }

    private List<String> groupBy() {
        List<String> cols = new ArrayList<>();
        do {
            Token t = peek();
            if (t.kind() == Kind.NUMBER) {
                throw notAllowed(t, "GROUP BY a position is not accepted: name the column");
            }
            String c = column().name();
            if (!cols.contains(c)) {
                if (cols.size() == GuardedSql.MAX_GROUP_COLUMNS) {
                    throw refuse(SqlRefusal.TOO_COMPLEX, "more than " + GuardedSql.MAX_GROUP_COLUMNS + " GROUP BY columns" + at(t));
                }
                cols.add(c);
            }
        } while (acceptSymbol(","));
        return cols;
    }

    private OrderKey orderKey(List<SelectItem> items) {
        Token t = peek();
        int index = -1;
        if (t.kind() == Kind.NUMBER) {
            next();
            BigDecimal n = decimal(t);
            if (n.signum() <= 0 || n.stripTrailingZeros().scale() > 0 || n.compareTo(BigDecimal.valueOf(items.size())) > 0) {
                throw refuse(SqlRefusal.MALFORMED_SQL, "ORDER BY " + t.text() + at(t) + ": a position is a whole number from 1 to "
                        + items.size());
            }
            index = n.intValue() - 1;
        } else if (t.kind() == Kind.WORD && peekAt(1).isSymbol("(")) {
            if (AggregateFunction.ofWord(t.text()) == null) {
                throw function(t);
            }
            SelectItem.Aggregate a = aggregate();
            for (int i = 0; i < items.size() && index < 0; i++) {
                if (items.get(i) instanceof SelectItem.Aggregate b && b.unaliased().equals(a)) {
                    index = i;
                }
            }
            if (index < 0) {
                throw notAllowed(t, "ORDER BY " + a.expression() + ": order by a column of the result ("
                        + String.join(", ", names(items)) + ")");
            }
        } else if (t.kind() == Kind.WORD && !keyword(t.text())) {
            next();
            noQualifier(t);
            for (int i = 0; i < items.size() && index < 0; i++) {
                if (t.text().equals(items.get(i).alias())) {
                    index = i;
                }
            }
            for (int i = 0; i < items.size() && index < 0; i++) {
                if (items.get(i) instanceof SelectItem.GroupColumn g && g.column().equals(t.text())) {
                    index = i;
                }
            }
            if (index < 0) {
                if (schema.column(t.text()).isPresent()) {
                    throw notAllowed(t, "ORDER BY " + t.text() + ": the result is sorted after noise is added, so order by one "
                            + "of its columns (" + String.join(", ", names(items)) + ")");
                }
                throw refuse(SqlRefusal.UNKNOWN_COLUMN, "ORDER BY " + t.text() + at(t) + ": not a column of the result ("
                        + String.join(", ", names(items)) + ")");
            }
        } else if (t.kind() == Kind.QUOTED) {
            throw quoted(t);
        } else {
            throw unexpected("a column of the result to order by", "");
        }
        boolean descending = false;
        if (acceptWord("desc")) {
            descending = true;
        } else {
            acceptWord("asc");
        }
        return new OrderKey(index, descending);
    }

    // Predicates. depth = 1 + the number of enclosing parentheses and NOTs.

    private Predicate or(int depth) {
        List<Predicate> terms = new ArrayList<>();
        do {
            Predicate p = and(depth);
            if (p instanceof Predicate.Or o) {
                terms.addAll(o.terms());
            } else {
                terms.add(p);
            }
        } while (acceptWord("or"));
        return terms.size() == 1 ? terms.get(0) : new Predicate.Or(terms);
    }

    private Predicate and(int depth) {
        List<Predicate> terms = new ArrayList<>();
        do {
            Predicate p = not(depth);
            if (p instanceof Predicate.And a) {
                terms.addAll(a.terms());
            } else {
                terms.add(p);
            }
        } while (acceptWord("and"));
        return terms.size() == 1 ? terms.get(0) : new Predicate.And(terms);
    }

    private Predicate not(int depth) {
        Token t = peek();
        if (t.isWord("not")) {
            deeper(t, depth);
            next();
            return new Predicate.Not(not(depth + 1));
        }
        return primary(depth);
    }

    private Predicate primary(int depth) {
        Token t = peek();
        if (t.isSymbol("(")) {
            if (peekAt(1).isWord("select")) {
                throw notAllowed(t, SUBQUERY);
            }
            deeper(t, depth);
            next();
            Predicate p = or(depth + 1);
            expectSymbol(")", "')' to close the '('" + at(t));
            return p;
        }
        if (t.kind() == Kind.NUMBER || t.kind() == Kind.STRING || (t.isSymbol("-") || t.isSymbol("+")) && peekAt(1).kind() == Kind.NUMBER) {
            Literal lit = literal();
            Token opToken = peek();
            CompareOp op = opToken.kind() == Kind.SYMBOL ? CompareOp.ofSymbol(opToken.text()) : null;
            if (op == null) {
                throw unexpected("a comparison (=, <>, <, <=, >, >=) between the literal and a column", "");
            }
            next();
            Token columnToken = peek();
            Column column = column();
            checkType(column, lit, columnToken);
            operators();
            return new Predicate.Comparison(column.name(), op.flipped(), lit);
        }
        Column column = column();
        Token op = peek();
        Predicate p;
        if (op.kind() == Kind.SYMBOL && CompareOp.ofSymbol(op.text()) != null) {
            next();
            Literal lit = rightLiteral(column);
            p = new Predicate.Comparison(column.name(), CompareOp.ofSymbol(op.text()), lit);
        } else if (op.isWord("is")) {
            next();
            boolean negated = acceptWord("not");
            expectWord("null", "NULL after IS" + (negated ? " NOT" : ""));
            p = new Predicate.IsNull(column.name(), negated);
        } else {
            boolean negated = acceptWord("not");
            Token w = peek();
            if (acceptWord("in")) {
                Token open = peek();
                expectSymbol("(", "'(' and a list of values after IN");
                if (peek().isWord("select")) {
                    throw notAllowed(open, SUBQUERY);
                }
                if (peek().isSymbol(")")) {
                    throw refuse(SqlRefusal.MALFORMED_SQL, "IN () needs at least one value" + at(open));
                }
                List<Literal> values = new ArrayList<>();
                do {
                    values.add(rightLiteral(column));
                } while (acceptSymbol(","));
                expectSymbol(")", "',' or ')' in the IN list");
                p = new Predicate.InList(column.name(), values, negated);
            } else if (acceptWord("between")) {
                Literal low = rightLiteral(column);
                expectWord("and", "AND between the two bounds of BETWEEN");
                Literal high = rightLiteral(column);
                p = new Predicate.Between(column.name(), low, high, negated);
            } else if (w.kind() == Kind.WORD && FORBIDDEN.containsKey(w.text())) {
                throw notAllowed(w, FORBIDDEN.get(w.text()));
            } else {
                throw unexpected(negated ? "IN or BETWEEN after NOT" : "a comparison (=, <>, <, <=, >, >=, IN, BETWEEN, IS NULL) after "
                        + column.name(), "");
            }
        }
        operators();
        return p;
    }

    /** A literal on the right of a comparison with {@code column}, type-checked. */
    private Literal rightLiteral(Column column) {
        Token t = peek();
        if (t.kind() == Kind.WORD && !keyword(t.text()) && !peekAt(1).isSymbol("(")) {
            throw notAllowed(t, "comparing two columns (" + column.name() + " and " + t.text()
                    + ") is not allowed: compare a column with a literal");
        }
        if (t.isSymbol("(") && peekAt(1).isWord("select")) {
            throw notAllowed(t, SUBQUERY);
        }
        if (t.kind() == Kind.WORD && peekAt(1).isSymbol("(")) {
            throw AggregateFunction.ofWord(t.text()) != null
                    ? notAllowed(t, "an aggregate cannot appear in WHERE: WHERE filters rows before they are aggregated")
                    : function(t);
        }
        Literal lit = literal();
        checkType(column, lit, t);
        return lit;
    }

    /** A number (optionally signed) or a 'string'. */
    private Literal literal() {
        Token t = peek();
        if (t.kind() == Kind.STRING) {
            next();
            return new Literal.Text(t.text());
        }
        boolean negative = false;
        if ((t.isSymbol("-") || t.isSymbol("+")) && peekAt(1).kind() == Kind.NUMBER) {
            negative = t.isSymbol("-");
            next();
        }
        Token n = peek();
        if (n.kind() == Kind.NUMBER) {
            next();
            BigDecimal v = decimal(n);
            if (v.abs().compareTo(new BigDecimal("1e300")) > 0) {
                throw refuse(SqlRefusal.MALFORMED_SQL, "the number " + n.text() + at(n) + " is out of range");
            }
            return new Literal.Numeric(negative ? v.negate() : v);
        }
        if (t.isWord("null")) {
            throw refuse(SqlRefusal.MALFORMED_SQL, "a comparison with NULL is never true: write IS NULL or IS NOT NULL" + at(t));
        }
        if (t.kind() == Kind.QUOTED) {
            throw refuse(SqlRefusal.MALFORMED_SQL, "\"" + t.text() + "\"" + at(t) + " is a quoted name, not a string: write strings in single quotes, '"
                    + t.text() + "'");
        }
        throw unexpected("a number or a 'quoted string'", "");
    }

    private static BigDecimal decimal(Token n) {
        try {
            return new BigDecimal(n.text());
        } catch (NumberFormatException | ArithmeticException e) {
            throw refuse(SqlRefusal.MALFORMED_SQL, "malformed number " + n.text() + at(n));
        }
    }

    private void checkType(Column column, Literal lit, Token at) {
        boolean numeric = column.type().numeric();
        if (numeric && lit instanceof Literal.Text) {
            throw refuse(SqlRefusal.TYPE_MISMATCH, column.name() + " is " + article(column.type()) + " column: compare it with a number, not "
                    + lit.sql() + at(at));
        }
        if (!numeric && lit instanceof Literal.Numeric) {
            throw refuse(SqlRefusal.TYPE_MISMATCH, column.name() + " is a text column: compare it with a 'quoted string', not "
                    + lit.sql() + at(at));
        }
    }

    private static String article(ColumnType type) {
        return type == ColumnType.INT ? "an int" : "a real";
    }

    private void deeper(Token t, int depth) {
        if (depth + 1 > GuardedSql.MAX_PREDICATE_DEPTH) {
            throw refuse(SqlRefusal.TOO_COMPLEX, "the WHERE condition nests more than " + GuardedSql.MAX_PREDICATE_DEPTH
                    + " levels of parentheses and NOT" + at(t));
        }
    }

    /** Refuses an operator right after a value: arithmetic, concatenation, casts, subscripts. */
    private void operators() {
        Token t = peek();
        if (t.kind() == Kind.SYMBOL && OPERATORS.contains(t.text())) {
            throw notAllowed(t, "operators on values (arithmetic, ||, ::, subscripts) are not allowed: use plain columns, aggregates and literals");
        }
        if (t.isSymbol(".")) {
            throw notAllowed(t, "qualified names (table.column) are not allowed: name columns alone");
        }
    }

    private void noQualifier(Token name) {
        if (peek().isSymbol(".")) {
            throw notAllowed(peek(), "qualified names (" + name.text() + ".…) are not allowed: name columns and the dataset alone");
        }
    }

    /** A plain name (alias or table): a word that is not a keyword, at most 63 characters. */
    private String name(String expected) {
        Token t = peek();
        if (t.kind() == Kind.QUOTED) {
            throw quoted(t);
        }
        if (t.kind() != Kind.WORD || keyword(t.text())) {
            throw unexpected(expected, "");
        }
        if (t.text().length() > 63) {
            throw refuse(SqlRefusal.MALFORMED_SQL, "the name at position " + t.position() + " is longer than 63 characters");
        }
        next();
        return t.text();
    }

    private Refusal function(Token t) {
        String f = t.text();
        if (FORBIDDEN.containsKey(f)) {
            return notAllowed(t, FORBIDDEN.get(f));
        }
        if (f.startsWith("read_") || f.startsWith("duckdb_") || f.startsWith("pragma_") || f.endsWith("_scan")
                || Set.of("glob", "sniff_csv", "query", "query_table", "getenv", "current_setting", "http_get", "http_post",
                        "load_extension", "parquet_metadata", "parquet_schema").contains(f)) {
            return notAllowed(t, "the function " + f + "(…) reads files, the network or the engine's settings and is never "
                    + "allowed: the analysis sees only the dataset");
        }
        return notAllowed(t, "the function " + f + "(…) is not allowed: the only functions are the aggregates " + AGGREGATES);
    }

    private Refusal quoted(Token t) {
        return notAllowed(t, "quoted names (" + t.shown() + ") are not allowed: columns are plain lower-case words");
    }

    private Refusal unexpected(String expected, String hint) {
        Token t = peek();
        if (t.kind() == Kind.END) {
            return refuse(SqlRefusal.MALFORMED_SQL, "the query ends too early: expected " + expected + hint);
        }
        if (t.kind() == Kind.WORD && FORBIDDEN.containsKey(t.text())) {
            return notAllowed(t, FORBIDDEN.get(t.text()));
        }
        if (t.isSymbol(";") && peekAt(1).kind() != Kind.END) {
            return notAllowed(t, "several statements are not allowed: send one SELECT");
        }
        if (t.kind() == Kind.QUOTED) {
            return quoted(t);
        }
        if (t.kind() == Kind.SYMBOL && (t.text().equals("?") || t.text().equals("$"))) {
            return notAllowed(t, "parameters are not allowed: write the values into the query");
        }
        if (t.kind() == Kind.SYMBOL && OPERATORS.contains(t.text())) {
            return notAllowed(t, "operators on values (arithmetic, ||, ::, subscripts) are not allowed: use plain columns, aggregates and literals");
        }
        return refuse(SqlRefusal.MALFORMED_SQL, "expected " + expected + at(t) + ", found " + t.shown() + hint);
    }

    private Refusal notAllowed(Token t, String reason) {
        String shown = switch (t.kind()) {
            case WORD -> t.text().toUpperCase(Locale.ROOT);
            case SYMBOL, NUMBER -> "'" + t.text() + "'";
            default -> t.shown();
        };
        return refuse(SqlRefusal.NOT_ALLOWED, reason + " (" + shown + at(t) + ")");
    }

    private static Refusal refuse(SqlRefusal reason, String message) {
        return new Refusal(reason, message);
    }

    private static String at(Token t) {
        return t.kind() == Kind.END ? " at the end" : " at position " + t.position();
    }

    private String declared() {
        return schema.columns().stream().map(Column::name).collect(Collectors.joining(", "));
    }

    private static List<String> names(List<SelectItem> items) {
        return items.stream().map(SelectItem::name).toList();
    }

    private static boolean keyword(String word) {
        return Schema.RESERVED.contains(word);
    }

    private Token peek() {
        return tokens.get(at);
    }

    private Token peekAt(int ahead) {
        return tokens.get(Math.min(at + ahead, tokens.size() - 1));
    }

    private Token next() {
        Token t = tokens.get(at);
        if (t.kind() != Kind.END) {
            at++;
        }
        return t;
    }

    private boolean acceptWord(String word) {
        if (peek().isWord(word)) {
            next();
            return true;
        }
        return false;
    }

    private boolean acceptSymbol(String symbol) {
        if (peek().isSymbol(symbol)) {
            next();
            return true;
        }
        return false;
    }

    private void expectWord(String word, String expected) {
        if (!acceptWord(word)) {
            throw unexpected(expected, "");
        }
    }

    private void expectSymbol(String symbol, String expected) {
        if (!acceptSymbol(symbol)) {
            throw unexpected(expected, "");
        }
    }

    private static Map<String, String> forbidden() {
        Map<String, String> m = new HashMap<>();
        for (String w : List.of("join", "inner", "left", "right", "full", "outer", "cross", "natural", "lateral", "positional",
                "asof", "using", "on")) {
            m.put(w, JOINS);
        }
        for (String w : List.of("union", "intersect", "except")) {
            m.put(w, SET_OPS);
        }
        m.put("with", "WITH (common table expressions) is not allowed: send one plain SELECT");
        m.put("recursive", "WITH RECURSIVE is not allowed: send one plain SELECT");
        for (String w : List.of("limit", "offset", "fetch", "top", "sample", "tablesample")) {
            m.put(w, LIMITS);
        }
        m.put("distinct", "DISTINCT is not allowed: aggregates count every row (each owner's rows are capped by the privacy policy)");
        m.put("all", "ALL is not accepted: a query is one plain SELECT");
        m.put("having", "HAVING is not allowed: groups with fewer than k owners are suppressed automatically, and a filter on "
                + "exact aggregates would leak them; filter the noisy result yourself");
        for (String w : List.of("over", "partition", "window", "qualify", "filter")) {
            m.put(w, WINDOWS);
        }
        m.put("case", "CASE expressions are not allowed: use WHERE and GROUP BY");
        m.put("cast", "casts are not allowed: compare columns with literals of their type");
        m.put("try_cast", "casts are not allowed: compare columns with literals of their type");
        for (String w : List.of("like", "ilike", "glob", "similar", "regexp")) {
            m.put(w, PATTERNS);
        }
        m.put("exists", SUBQUERY);
        m.put("select", SUBQUERY);
        m.put("into", "SELECT INTO is not allowed: the result goes only to the buyer, encrypted");
        m.put("returning", "RETURNING is not allowed");
        for (String w : List.of("grouping", "cube", "rollup")) {
            m.put(w, GROUPING);
        }
        for (String w : List.of("create", "drop", "insert", "update", "delete", "alter", "truncate", "merge", "upsert", "replace",
                "call", "use", "explain", "describe", "summarize", "show", "vacuum", "checkpoint", "begin", "commit",
                "rollback", "abort", "prepare", "execute", "deallocate", "grant", "revoke", "pivot", "unpivot", "values",
                "table", "comment", "analyze")) {
            m.put(w, w.toUpperCase(Locale.ROOT) + STATEMENT);
        }
        for (String w : List.of("copy", "attach", "detach", "install", "load", "force", "export", "import", "pragma", "set",
                "reset", "secret")) {
            m.put(w, w.toUpperCase(Locale.ROOT) + OUTSIDE);
        }
        return Map.copyOf(m);
    }
}
