package cloister.market.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.common.Hex;
import cloister.market.data.Schema;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GuardedSqlTest {
    static final Schema SCHEMA = Schema.parse(
            "age_band:text,income:real[0,250000],age:int[0,120],region:text,name:text,score:real[-10,10]");

    static Stream<Arguments> accepted() {
        return Stream.of(
                Arguments.of("SELECT COUNT(*) FROM survey", "SELECT COUNT(*) FROM survey"),
                Arguments.of("select age_band, count(*), avg(income) from survey group by age_band",
                        "SELECT age_band, COUNT(*), AVG(income) FROM survey GROUP BY age_band"),
                Arguments.of("SeLeCt Count(*) FrOm Survey;", "SELECT COUNT(*) FROM survey"),
                Arguments.of("SELECT COUNT(name) AS named FROM survey", "SELECT COUNT(name) AS named FROM survey"),
                Arguments.of("SELECT SUM(income) AS total, MIN(age), MAX(age), MEDIAN(income), QUANTILE(income, 0.90) FROM survey ;",
                        "SELECT SUM(income) AS total, MIN(age), MAX(age), MEDIAN(income), QUANTILE(income, 0.9) FROM survey"),
                Arguments.of("SELECT COUNT(*) FROM survey WHERE age >= 18 AND age < 65 AND region != 'north'",
                        "SELECT COUNT(*) FROM survey WHERE age >= 18 AND age < 65 AND region <> 'north'"),
                Arguments.of("SELECT COUNT(*) FROM survey WHERE region IN ('a', 'b') OR age BETWEEN 20 AND 30",
                        "SELECT COUNT(*) FROM survey WHERE region IN ('a', 'b') OR age BETWEEN 20 AND 30"),
                Arguments.of("SELECT COUNT(*) FROM survey WHERE NOT (age IS NULL OR income IS NOT NULL)",
                        "SELECT COUNT(*) FROM survey WHERE NOT (age IS NULL OR income IS NOT NULL)"),
                Arguments.of("SELECT COUNT(*) FROM survey WHERE region NOT IN ('x') AND NOT age NOT BETWEEN 1 AND 2",
                        "SELECT COUNT(*) FROM survey WHERE region NOT IN ('x') AND NOT age NOT BETWEEN 1 AND 2"),
                Arguments.of("SELECT COUNT(*) FROM survey WHERE 18 <= age", "SELECT COUNT(*) FROM survey WHERE age >= 18"),
                Arguments.of("SELECT AVG(score) FROM survey WHERE score > -5.50 AND income < 1e5",
                        "SELECT AVG(score) FROM survey WHERE score > -5.5 AND income < 100000"),
                Arguments.of("SELECT COUNT(*) FROM survey WHERE name = 'O''Brien'",
                        "SELECT COUNT(*) FROM survey WHERE name = 'O''Brien'"),
                Arguments.of("SELECT region, age_band, COUNT(*) AS n FROM survey GROUP BY region, age_band ORDER BY n DESC, region",
                        "SELECT region, age_band, COUNT(*) AS n FROM survey GROUP BY region, age_band ORDER BY n DESC, region"),
                Arguments.of("SELECT region AS r, SUM(income) FROM survey GROUP BY region ORDER BY SUM(income) DESC, 1 ASC",
                        "SELECT region AS r, SUM(income) FROM survey GROUP BY region ORDER BY SUM(income) DESC, r"),
                Arguments.of("SELECT COUNT(*) FROM survey GROUP BY region, region", "SELECT COUNT(*) FROM survey GROUP BY region"),
                Arguments.of("SELECT COUNT(*) FROM survey WHERE (age > 1 AND (age < 5 OR age > 9)) AND income > 0",
                        "SELECT COUNT(*) FROM survey WHERE age > 1 AND (age < 5 OR age > 9) AND income > 0"),
                Arguments.of("SELECT\n\tCOUNT( * )\nFROM  survey\nWHERE age=3", "SELECT COUNT(*) FROM survey WHERE age = 3"),
                Arguments.of("SELECT COUNT(*) FROM survey WHERE " + "(".repeat(15) + "age > 1" + ")".repeat(15),
                        "SELECT COUNT(*) FROM survey WHERE age > 1"),
                Arguments.of("SELECT region FROM survey GROUP BY region",
                        "SELECT region FROM survey GROUP BY region"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void acceptsAndNormalises(String sql, String canonical) {
        QueryCheck check = GuardedSql.check(sql, SCHEMA);
        assertInstanceOf(QueryCheck.Accepted.class, check, () -> check.toString());
        GuardedQuery q = check.query();
        assertEquals(canonical, q.canonicalSql());
        assertEquals(sql, q.sql());
        // The normal form is a fixed point.
        assertEquals(canonical, GuardedSql.check(canonical, SCHEMA).query().canonicalSql());
    }

    static Stream<Arguments> refused() {
        List<Arguments> cases = new ArrayList<>(List.of(
                // NOT_AGGREGATE
                Arguments.of("SELECT * FROM survey", SqlRefusal.NOT_AGGREGATE, "SELECT *"),
                Arguments.of("SELECT name FROM survey", SqlRefusal.NOT_AGGREGATE, "name"),
                Arguments.of("SELECT name, COUNT(*) FROM survey", SqlRefusal.NOT_AGGREGATE, "GROUP BY"),
                Arguments.of("SELECT age_band, COUNT(*) FROM survey GROUP BY region", SqlRefusal.NOT_AGGREGATE, "age_band"),
                Arguments.of("SELECT 1 FROM survey", SqlRefusal.NOT_AGGREGATE, "constant"),
                Arguments.of("SELECT 'x', COUNT(*) FROM survey", SqlRefusal.NOT_AGGREGATE, "constant"),
                // UNKNOWN_COLUMN
                Arguments.of("SELECT SUM(salary) FROM survey", SqlRefusal.UNKNOWN_COLUMN, "age_band, income, age, region, name, score"),
                Arguments.of("SELECT COUNT(*) FROM survey WHERE nme = 'x'", SqlRefusal.UNKNOWN_COLUMN, "nme"),
                Arguments.of("SELECT COUNT(*) FROM survey GROUP BY city", SqlRefusal.UNKNOWN_COLUMN, "city"),
                Arguments.of("SELECT COUNT(*) AS n FROM survey ORDER BY m", SqlRefusal.UNKNOWN_COLUMN, "m at position"),
                // TEXT_AGGREGATE
                Arguments.of("SELECT SUM(name) FROM survey", SqlRefusal.TEXT_AGGREGATE, "name is a text column"),
                Arguments.of("SELECT AVG(region) FROM survey", SqlRefusal.TEXT_AGGREGATE, "region"),
                Arguments.of("SELECT MEDIAN(age_band) FROM survey", SqlRefusal.TEXT_AGGREGATE, "only COUNT"),
                // TYPE_MISMATCH
                Arguments.of("SELECT COUNT(*) FROM survey WHERE age = 'ten'", SqlRefusal.TYPE_MISMATCH, "int"),
                Arguments.of("SELECT COUNT(*) FROM survey WHERE region IN ('a', 3)", SqlRefusal.TYPE_MISMATCH, "text"),
                // MALFORMED_SQL
                Arguments.of("", SqlRefusal.MALFORMED_SQL, "empty"),
                Arguments.of("SELECT COUNT(*)", SqlRefusal.MALFORMED_SQL, "FROM"),
                Arguments.of("SELECT COUNT(* FROM survey", SqlRefusal.MALFORMED_SQL, "position 16"),
                Arguments.of("SELECT COUNT(*) FROM survey WHERE", SqlRefusal.MALFORMED_SQL, "ends too early"),
                Arguments.of("SELECT COUNT(*) FROM survey WHERE age = NULL", SqlRefusal.MALFORMED_SQL, "IS NULL"),
                Arguments.of("SELECT QUANTILE(income, 1.5) FROM survey", SqlRefusal.MALFORMED_SQL, "0 to 1"),
                Arguments.of("SELECT COUNT(*) FROM survey WHERE name = 'open", SqlRefusal.MALFORMED_SQL, "not closed"),
                Arguments.of("SELECT SUM(*) FROM survey", SqlRefusal.MALFORMED_SQL, "needs a column"),
                Arguments.of("SELEKT COUNT(*) FROM survey", SqlRefusal.MALFORMED_SQL, "starts with SELECT"),
                Arguments.of("SELECT COUNT(*) FROM survey WHERE age IN ()", SqlRefusal.MALFORMED_SQL, "at least one value"),
                Arguments.of("SELECT COUNT(*) FROM survey GROUP age", SqlRefusal.MALFORMED_SQL, "BY after GROUP"),
                Arguments.of("SELECT COUNT(*), COUNT(*) FROM survey", SqlRefusal.MALFORMED_SQL, "AS"),
                Arguments.of("SELECT COUNT(*) FROM survey ORDER BY 3", SqlRefusal.MALFORMED_SQL, "from 1 to 1"),
                Arguments.of("SELECT age_band n FROM survey GROUP BY age_band", SqlRefusal.MALFORMED_SQL, "alias needs AS"),
                Arguments.of("SELECT COUNT(*) FROM survey WHERE age > 1x", SqlRefusal.MALFORMED_SQL, "malformed number"),
                Arguments.of("SELECT COUNT(*) FROM survey WHERE name = 'é' AND age > 1 é", SqlRefusal.MALFORMED_SQL, "U+00E9"),
                // NOT_ALLOWED
                Arguments.of("SELECT my_udf(income) FROM survey", SqlRefusal.NOT_ALLOWED, "my_udf"),
                Arguments.of("SELECT COUNT(*) FROM read_csv('x')", SqlRefusal.NOT_ALLOWED, "files"),
                Arguments.of("SELECT COUNT(*) FROM 'data.csv'", SqlRefusal.NOT_ALLOWED, "file"),
                Arguments.of("SELECT COUNT(*) FROM survey; DROP TABLE survey", SqlRefusal.NOT_ALLOWED, "several statements"),
                Arguments.of("SELECT COUNT(*) FROM survey -- the rest", SqlRefusal.NOT_ALLOWED, "comment"),
                Arguments.of("SELECT COUNT(*) /* hidden */ FROM survey", SqlRefusal.NOT_ALLOWED, "comment"),
                Arguments.of("SELECT COUNT(*) FROM survey WHERE age IN (SELECT age FROM survey)", SqlRefusal.NOT_ALLOWED, "subqueries"),
                Arguments.of("SELECT COUNT(*) FROM (SELECT * FROM survey)", SqlRefusal.NOT_ALLOWED, "subqueries"),
                Arguments.of("SELECT COUNT(*) FROM survey WHERE EXISTS (SELECT 1)", SqlRefusal.NOT_ALLOWED, "subqueries"),
                Arguments.of("SELECT COUNT(*) FROM survey JOIN other ON survey.id = other.id", SqlRefusal.NOT_ALLOWED, "joins"),
                Arguments.of("SELECT COUNT(*) FROM survey, other", SqlRefusal.NOT_ALLOWED, "joins"),
                Arguments.of("SELECT COUNT(*) FROM survey LEFT JOIN other USING (age)", SqlRefusal.NOT_ALLOWED, "joins"),
                Arguments.of("COPY survey TO '/tmp/x.csv'", SqlRefusal.NOT_ALLOWED, "COPY reaches files"),
                Arguments.of("ATTACH 'x.db'", SqlRefusal.NOT_ALLOWED, "ATTACH"),
                Arguments.of("PRAGMA database_list", SqlRefusal.NOT_ALLOWED, "PRAGMA"),
                Arguments.of("INSTALL httpfs", SqlRefusal.NOT_ALLOWED, "INSTALL"),
                Arguments.of("DROP TABLE survey", SqlRefusal.NOT_ALLOWED, "DROP statements"),
                Arguments.of("SELECT COUNT(*) FROM survey UNION SELECT COUNT(*) FROM survey", SqlRefusal.NOT_ALLOWED, "UNION"),
                Arguments.of("WITH t AS (SELECT 1) SELECT COUNT(*) FROM t", SqlRefusal.NOT_ALLOWED, "WITH"),
                Arguments.of("SELECT COUNT(*) FROM survey LIMIT 10", SqlRefusal.NOT_ALLOWED, "LIMIT"),
                Arguments.of("SELECT age_band, COUNT(*) FROM survey GROUP BY age_band OFFSET 5", SqlRefusal.NOT_ALLOWED, "OFFSET"),
                Arguments.of("SELECT DISTINCT age_band FROM survey", SqlRefusal.NOT_ALLOWED, "DISTINCT"),
                Arguments.of("SELECT COUNT(DISTINCT name) FROM survey", SqlRefusal.NOT_ALLOWED, "DISTINCT"),
                Arguments.of("SELECT age_band, COUNT(*) FROM survey GROUP BY age_band HAVING COUNT(*) > 5", SqlRefusal.NOT_ALLOWED, "HAVING"),
                Arguments.of("SELECT SUM(income) * 2 FROM survey", SqlRefusal.NOT_ALLOWED, "operators"),
                Arguments.of("SELECT SUM(income + 1) FROM survey", SqlRefusal.NOT_ALLOWED, "operators"),
                Arguments.of("SELECT COUNT(*) FROM survey WHERE name LIKE 'a%'", SqlRefusal.NOT_ALLOWED, "LIKE"),
                Arguments.of("SELECT COUNT(*) FROM survey WHERE upper(name) = 'A'", SqlRefusal.NOT_ALLOWED, "upper"),
                Arguments.of("SELECT COUNT(*) FROM survey WHERE age > income", SqlRefusal.NOT_ALLOWED, "two columns"),
                Arguments.of("SELECT COUNT(*) FROM survey WHERE COUNT(*) > 1", SqlRefusal.NOT_ALLOWED, "aggregate"),
                Arguments.of("SELECT COUNT(*) OVER () FROM survey", SqlRefusal.NOT_ALLOWED, "window"),
                Arguments.of("SELECT SUM(survey.income) FROM survey", SqlRefusal.NOT_ALLOWED, "qualified"),
                Arguments.of("SELECT SUM(\"income\") FROM survey", SqlRefusal.NOT_ALLOWED, "quoted"),
                Arguments.of("SELECT COUNT(*) FROM survey s", SqlRefusal.NOT_ALLOWED, "alias"),
                Arguments.of("SELECT COUNT(*) FROM survey WHERE age = ?", SqlRefusal.NOT_ALLOWED, "parameters"),
                Arguments.of("SELECT COUNT(*) FROM survey WHERE CAST(age AS VARCHAR) = '1'", SqlRefusal.NOT_ALLOWED, "cast"),
                Arguments.of("SELECT COUNT(*) FROM survey ORDER BY income", SqlRefusal.NOT_ALLOWED, "result"),
                Arguments.of("SELECT getenv('HOME') FROM survey", SqlRefusal.NOT_ALLOWED, "never allowed"),
                Arguments.of("SELECT COUNT(*) FROM survey; SELECT COUNT(*) FROM survey", SqlRefusal.NOT_ALLOWED, "several statements"),
                Arguments.of("SELECT CASE WHEN age > 1 THEN 1 END FROM survey", SqlRefusal.NOT_ALLOWED, "CASE"),
                Arguments.of("SELECT age_band, COUNT(*) FROM survey GROUP BY ROLLUP (age_band)", SqlRefusal.NOT_ALLOWED, "ROLLUP"),
                Arguments.of("SELECT COUNT(*) FROM survey GROUP BY 1", SqlRefusal.NOT_ALLOWED, "position"),
                // TOO_COMPLEX
                Arguments.of("SELECT " + "COUNT(*) AS c".repeat(1) + ", SUM(age) AS s".repeat(16) + " FROM survey",
                        SqlRefusal.TOO_COMPLEX, "16 selected"),
                Arguments.of("SELECT COUNT(*) FROM survey GROUP BY age_band, income, age, region, name", SqlRefusal.TOO_COMPLEX, "4 GROUP BY"),
                Arguments.of("SELECT COUNT(*) FROM survey WHERE " + "(".repeat(16) + "age > 1" + ")".repeat(16),
                        SqlRefusal.TOO_COMPLEX, "16 levels"),
                Arguments.of("SELECT COUNT(*) FROM survey WHERE " + "NOT ".repeat(16) + "age > 1", SqlRefusal.TOO_COMPLEX, "16 levels"),
                Arguments.of("SELECT COUNT(*) FROM survey WHERE age IN (" + "1, ".repeat(1400) + "1)", SqlRefusal.TOO_COMPLEX, "4096")));
        return cases.stream();
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("refused")
    void refusesWithCodeAndReason(String sql, SqlRefusal code, String inMessage) {
        QueryCheck check = GuardedSql.check(sql, SCHEMA);
        QueryCheck.Refused r = assertInstanceOf(QueryCheck.Refused.class, check, () -> "accepted: " + sql);
        assertEquals(code, r.reason(), r::toString);
        assertTrue(r.message().contains(inMessage), () -> "message lacks '" + inMessage + "': " + r.message());
        assertFalse(r.validation().isValid());
        assertEquals(code.code(), r.validation().reason().code());
    }

    @Test
    void atLeastFortyRefusalCasesCoverEveryCode() {
        List<Arguments> cases = refused().toList();
        assertTrue(cases.size() >= 40, "only " + cases.size());
        for (SqlRefusal code : SqlRefusal.values()) {
            assertTrue(cases.stream().anyMatch(a -> a.get()[1] == code), "no case for " + code);
        }
    }

    @Test
    void selectStarHasItsOwnMessage() {
        String star = ((QueryCheck.Refused) GuardedSql.check("SELECT * FROM survey", SCHEMA)).message();
        String bare = ((QueryCheck.Refused) GuardedSql.check("SELECT name FROM survey", SCHEMA)).message();
        assertTrue(star.startsWith("SELECT * asks for the raw rows"), star);
        assertTrue(bare.startsWith("only aggregate queries are accepted: every selected column must be in GROUP BY or inside "
                + "COUNT/SUM/AVG/MIN/MAX/QUANTILE/MEDIAN"), bare);
    }

    @Test
    void sqlHashIsSha256OfTheExactSubmittedText() throws Exception {
        String sql = "select  age_band, count(*) from survey group by age_band ; ";
        GuardedQuery q = GuardedSql.check(sql, SCHEMA).query();
        byte[] expected = MessageDigest.getInstance("SHA-256").digest(sql.getBytes(StandardCharsets.UTF_8));
        assertEquals(Hex.encode(expected), q.sqlHash().hex());
        assertEquals(q.sqlHash(), GuardedQuery.sqlHash(sql));
        // Same normal form, different text: different hash.
        GuardedQuery other = GuardedSql.check(q.canonicalSql(), SCHEMA).query();
        assertEquals(q.canonicalSql(), other.canonicalSql());
        assertFalse(q.sqlHash().equals(other.sqlHash()));
    }

    @Test
    void treeCarriesResolvedItemsPredicateAndOrder() {
        GuardedQuery q = GuardedSql.check("SELECT region, QUANTILE(income, 0.25) AS q1, COUNT(*) FROM Survey "
                + "WHERE 5 > age OR name IN ('a', 'b') GROUP BY region ORDER BY q1 DESC", SCHEMA).query();
        assertEquals("survey", q.table());
        assertEquals(List.of("region", "q1", "count(*)"), q.columnNames());
        assertEquals(List.of("region"), q.groupBy());
        assertEquals(List.of(new OrderKey(1, true)), q.orderBy());
        assertEquals(new SelectItem.Aggregate(AggregateFunction.QUANTILE, "income", new BigDecimal("0.25"), "q1"), q.items().get(1));
        assertEquals(new Predicate.Or(List.of(
                new Predicate.Comparison("age", CompareOp.LT, new Literal.Numeric(BigDecimal.valueOf(5))),
                new Predicate.InList("name", List.of(new Literal.Text("a"), new Literal.Text("b")), false))), q.where().orElseThrow());
        assertEquals(2, q.aggregates().size());
    }

    @Test
    void sixteenItemsFourGroupsAndDepthSixteenAreAccepted() {
        assertTrue(GuardedSql.check("SELECT COUNT(*) AS c" + ", SUM(age) AS s".repeat(1).replace("s", "s0")
                + ", MAX(age) AS m".repeat(1) + buildItems(13) + " FROM survey", SCHEMA).accepted());
        assertTrue(GuardedSql.check("SELECT COUNT(*) FROM survey GROUP BY age_band, income, age, region", SCHEMA).accepted());
        assertTrue(GuardedSql.check("SELECT COUNT(*) FROM survey WHERE " + "NOT ".repeat(7) + "(".repeat(8) + "age > 1"
                + ")".repeat(8), SCHEMA).accepted());
    }

    private static String buildItems(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(", SUM(income) AS x").append(i);
        }
        return sb.toString();
    }
}
