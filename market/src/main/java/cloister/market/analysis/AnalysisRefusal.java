package cloister.market.analysis;

import cloister.common.Reason;

/** Why the engine released nothing for an accepted query. */
public enum AnalysisRefusal implements Reason {
    /** More groups would be released than the engine's limit allows. */
    TOO_MANY_GROUPS,
    /** The query's ε, split over its aggregates, leaves less than one micro-ε for some release. */
    EPSILON_TOO_SMALL,
    /** The run exceeded the engine's memory limit. */
    RESOURCE_LIMIT
}
