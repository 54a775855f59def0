package cloister.market.analysis;

/**
 * Resource limits of one analysis run.
 *
 * @param threads         DuckDB worker threads, 1 to 64
 * @param maxOutputGroups the most groups a result may release; a query that would release more is refused
 * @param memoryLimitMiB  DuckDB's memory limit; nothing spills to disk (the engine has no temporary directory)
 */
public record AnalysisLimits(int threads, int maxOutputGroups, int memoryLimitMiB) {
    public static final AnalysisLimits DEFAULT = new AnalysisLimits(2, 10_000, 2048);

    public AnalysisLimits {
        if (threads < 1 || threads > 64) {
            throw new IllegalArgumentException("threads is 1 to 64");
        }
        if (maxOutputGroups < 1) {
            throw new IllegalArgumentException("maxOutputGroups is at least 1");
        }
        if (memoryLimitMiB < 64) {
            throw new IllegalArgumentException("memoryLimitMiB is at least 64");
        }
    }
}
