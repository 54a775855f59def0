package cloister.node.api;

import cloister.chain.runtime.registry.Registry;
import cloister.chain.runtime.storage.StorageMarket;
import cloister.chain.store.StateReader;
import cloister.common.Hash;
import cloister.common.Hex;
import cloister.common.Tokens;
import cloister.proto.WorkerId;
import cloister.storage.cid.Cid;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/** JSON shapes of the storage market: slot, providers, orders and their replicas' health. */
final class StorageViews {
    private StorageViews() {}

    /** The CID text of a file digest (every file is named by a CIDv1 raw sha2-256 of its manifest). */
    static String cid(Hash file) {
        return Cid.of(Cid.RAW, file.bytes()).toString();
    }

    static ObjectNode summary(StateReader s, long head, Optional<String> staging) {
        StorageMarket.Slot slot = StorageMarket.slot(s);
        ObjectNode n = JsonViews.JSON.createObjectNode();
        n.put("slot", slot.slot()).put("slotStart", slot.startHeight()).put("slotBlocks", slot.slotBlocks())
                .put("nextSlotAt", slot.endHeight()).put("anchor", slot.anchor().hex()).put("head", head)
                .put("nextSlotBlocks", StorageMarket.slotBlocksSetting(s))
                .put("providers", StorageMarket.providers(s).size()).put("orders", StorageMarket.orders(s).size());
        staging.ifPresentOrElse(u -> n.put("stagingGateway", u), () -> n.putNull("stagingGateway"));
        return n;
    }

    static ObjectNode providers(StateReader s) {
        ObjectNode n = JsonViews.JSON.createObjectNode();
        ArrayNode a = n.putArray("providers");
        long slot = StorageMarket.slot(s).slot();
        for (WorkerId id : StorageMarket.providers(s)) {
            StorageMarket.provider(s, id).ifPresent(p -> a.add(provider(s, p, slot)));
        }
        return n;
    }

    static ObjectNode provider(StateReader s, StorageMarket.Provider p, long slot) {
        ObjectNode n = JsonViews.JSON.createObjectNode();
        n.put("id", p.worker().hex()).put("operator", p.operator().address()).put("capacity", p.capacity()).put("used", p.used())
                .put("endpoint", p.endpoint()).put("files", StorageMarket.providerFiles(s, p.worker()).size())
                .put("reportedBytes", p.reportedTotal()).put("lastReportSlot", p.lastReportSlot()).put("active", p.activeAt(slot))
                .put("computeWorker", computeWorker(s, p.worker()));
        return n;
    }

    private static boolean computeWorker(StateReader s, WorkerId id) {
        int n = Registry.clusterCount(s);
        for (int c = 0; c < n; c++) {
            if (Registry.cluster(s, c).map(x -> x.workers().contains(id)).orElse(false)) {
                return true;
            }
        }
        return false;
    }

    static ObjectNode orders(StateReader s, Optional<cloister.crypto.AccountId> owner) {
        ObjectNode n = JsonViews.JSON.createObjectNode();
        ArrayNode a = n.putArray("files");
        for (Hash f : StorageMarket.orders(s)) {
            StorageMarket.order(s, f).filter(o -> owner.isEmpty() || o.owner().equals(owner.get())).ifPresent(o -> a.add(order(s, o)));
        }
        return n;
    }

    /**
     * An order with each replica's health: {@code healthy} (its provider's report for the current or the last slot
     * holds the file), {@code fetching} (assigned in this or the last slot, not verified yet) or {@code missing}
     * (neither: it will be counted lost and repaired at the end of the slot).
     */
    static ObjectNode order(StateReader s, StorageMarket.Order o) {
        long slot = StorageMarket.slot(s).slot();
        ObjectNode n = JsonViews.JSON.createObjectNode();
        n.put("cid", cid(o.file())).put("file", o.file().hex()).put("owner", o.owner().address()).put("size", o.size())
                .put("replicaTarget", o.replicas()).put("pricePerReplicaSlot", o.price())
                .put("pricePerReplicaSlotDisplay", Tokens.display(o.price())).put("placedSlot", o.placedSlot()).put("endSlot", o.endSlot())
                .put("escrow", o.escrow()).put("wrappedKey", Hex.encode(o.wrappedKey()));
        ArrayNode replicas = n.putArray("replicas");
        int healthy = 0;
        for (StorageMarket.Replica r : o.assigned()) {
            String status;
            if (StorageMarket.verifiedIn(s, o, r, slot) || StorageMarket.verifiedIn(s, o, r, slot - 1)) {
                status = "healthy";
                healthy++;
            } else if (r.assignedSlot() >= slot - 1) {
                status = "fetching";
            } else {
                status = "missing";
            }
            ObjectNode x = replicas.addObject().put("provider", r.provider().hex()).put("status", status)
                    .put("assignedSlot", r.assignedSlot()).put("lastVerifiedSlot", r.lastVerifiedSlot());
            StorageMarket.provider(s, r.provider()).ifPresent(p -> x.put("endpoint", p.endpoint()));
        }
        n.put("healthy", healthy);
        return n;
    }
}
