package cloister.proto.envelope;

import cloister.common.Reason;

/**
 * Why a worker refused a query. Only {@link #BAD_REQUEST} comes back unsigned and without detail (the worker could
 * not open the request, so it has no key to answer with); every other refusal is encrypted to the caller and
 * signed by the worker like an answer.
 */
public enum QueryRefusal implements Reason {
    /** The request does not open with this worker's key (altered, for another worker or network, malformed). */
    BAD_REQUEST,
    /** The request opened but its plaintext is not a query request. */
    MALFORMED_QUERY,
    /** The request's signature is not the caller's over this query, worker and network. */
    BAD_QUERY_SIGNATURE,
    /** No contract with this id on this network (as far as this worker has synced). */
    UNKNOWN_CONTRACT,
    /** The contract exists but this worker does not run it (not in its cluster, or no key yet). */
    NOT_HOSTED,
    /** The contract does not understand the query bytes. */
    INVALID_QUERY
}
