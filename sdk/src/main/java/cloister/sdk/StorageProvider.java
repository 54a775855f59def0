package cloister.sdk;

import cloister.crypto.AccountId;
import cloister.proto.WorkerId;

/**
 * A storage provider as the chain records it.
 *
 * @param used           bytes of replicas assigned to it
 * @param files          files in its last accepted work report
 * @param reportedBytes  their stored bytes
 * @param lastReportSlot the slot of that report (-1: none yet)
 * @param active         whether it reported in this or the last slot (or just registered): it can be assigned files
 * @param computeWorker  whether the same attested identity is also a compute worker (member of a cluster)
 */
public record StorageProvider(WorkerId id, AccountId operator, long capacity, long used, String endpoint, int files,
                              long reportedBytes, long lastReportSlot, boolean active, boolean computeWorker) {}
