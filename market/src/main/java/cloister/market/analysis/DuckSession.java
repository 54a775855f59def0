package cloister.market.analysis;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.duckdb.DuckDBConnection;
import org.duckdb.DuckDBDriver;
import org.duckdb.DuckDBFunctions;
import org.duckdb.DuckDBTableFunction;
import org.duckdb.DuckDBTableFunctionBuilder;

/**
 * One private in-memory DuckDB for one analysis. From its first moment it cannot reach files, the network or
 * extensions, has no temporary directory (nothing spills to disk) and runs with the configured threads and memory;
 * {@link #lock()} then freezes the configuration so no later statement can change it.
 */
final class DuckSession implements AutoCloseable {
    private final DuckDBConnection connection;

    private DuckSession(DuckDBConnection connection) {
        this.connection = connection;
    }

    static DuckSession open(AnalysisLimits limits) throws SQLException {
        Properties p = new Properties();
        p.setProperty("enable_external_access", "false");
        p.setProperty("autoinstall_known_extensions", "false");
        p.setProperty("autoload_known_extensions", "false");
        p.setProperty("allow_community_extensions", "false");
        p.setProperty("temp_directory", "");
        p.setProperty("threads", Integer.toString(limits.threads()));
        p.setProperty("memory_limit", limits.memoryLimitMiB() + "MiB");
        Connection c = new DuckDBDriver().connect("jdbc:duckdb:", p);
        DuckSession s = new DuckSession(c.unwrap(DuckDBConnection.class));
        try {
            if (!"false".equals(s.single("SELECT current_setting('enable_external_access')::VARCHAR"))) {
                throw new IllegalStateException("DuckDB did not disable external access");
            }
        } catch (SQLException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    void execute(String sql) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute(sql);
        }
    }

    PreparedStatement prepare(String sql) throws SQLException {
        return connection.prepareStatement(sql);
    }

    /** Registers a table function of this database only (the engine's own; no buyer's text reaches DuckDB). */
    void register(String name, DuckDBTableFunction<?, ?, ?> function) throws SQLException {
        try (DuckDBTableFunctionBuilder b = DuckDBFunctions.tableFunction()) {
            b.withName(name).withFunction(function).register(connection);
        }
    }

    /** After loading: no statement may change the configuration any more. */
    void lock() throws SQLException {
        execute("SET lock_configuration = true");
    }

    private String single(String sql) throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
