package dev.ferry.agent.reconcile;

import dev.ferry.agent.datapath.ServiceMaps;
import dev.ferry.agent.model.Cidr;
import dev.ferry.agent.datapath.abi.SlotKey;
import dev.ferry.agent.datapath.abi.SrcRangeKey;
import dev.ferry.agent.datapath.abi.SvcValue;
import dev.ferry.agent.translate.Backend;
import dev.ferry.agent.translate.DesiredState;
import dev.ferry.agent.translate.Frontend;
import dev.ferry.agent.translate.FrontendTarget;
import dev.ferry.agent.translate.Maglev;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.Collection;

/**
 * Diffs desired against applied state and writes the difference, in an order that never lets
 * the datapath see a half-built service:
 * <ol>
 *   <li>backends a frontend will need, before any slot names them;</li>
 *   <li>per frontend: its slots, then the count that makes them reachable (when shrinking, the
 *       smaller count first, then the slots above it);</li>
 *   <li>removed frontends, then slots nobody reaches, then backends nobody references.</li>
 * </ol>
 * Not thread-safe by design: one writer thread owns it. At construction it restores ids and
 * applied state from the (pinned) maps, so an agent restart rewrites nothing that is still right
 * and established flows keep their backend ids.
 */
public final class Reconciler {
    private static final System.Logger LOG = System.getLogger(Reconciler.class.getName());

    /** What one frontend's entries say: its id, slots in order, flags, affinity timeout, source ranges. */
    private record Applied(int svcId, List<Integer> backendIds, int flags, int affinityTimeoutSeconds,
                           Set<Cidr> sourceRanges) {
        boolean sameSettings(int otherFlags, int otherAffinity) {
            return flags == otherFlags && affinityTimeoutSeconds == otherAffinity;
        }
    }

    private final ServiceMaps maps;
    private final IdAllocator svcIds = new IdAllocator();
    private final IdAllocator backendIds = new IdAllocator();
    private final Map<Frontend, Applied> frontends = new HashMap<>();
    private final Map<Backend, Integer> backends = new HashMap<>();
    /** Slots found at restore that no frontend reaches; deleted by the first apply. */
    private final List<SlotKey> orphanSlots = new ArrayList<>();
    private final List<Integer> orphanBackends = new ArrayList<>();
    /** Maglev tables and source ranges found at restore whose frontend is gone; deleted by the first apply. */
    private final Set<Integer> orphanTables = new HashSet<>();
    private final List<SrcRangeKey> orphanRanges = new ArrayList<>();
    private final Set<Inet4Address> clusterIps = new HashSet<>();
    private final Set<Cidr> serviceCidrs = new HashSet<>();
    /** Frontends (svc ids) whose Maglev table is written. */
    private final Set<Integer> maglevTables = new HashSet<>();
    /**
     * Maglev picks computed in this pass, by backend list: a service's NodePorts on every node
     * address, its LoadBalancer IPs and external IPs share one backend list, so one table.
     */
    private final Map<List<Backend>, int[]> maglevPicks = new HashMap<>();

    public Reconciler(ServiceMaps maps) {
        this.maps = maps;
        restore();
    }

    private void restore() {
        Map<Integer, Backend> storedBackends = maps.readBackends();
        storedBackends.forEach((id, backend) -> {
            backendIds.reserve(id);
            if (backends.putIfAbsent(backend, id) != null) orphanBackends.add(id);
        });
        Map<SlotKey, Integer> storedSlots = new HashMap<>(maps.readSlots());
        Map<Integer, Set<Cidr>> storedRanges = new HashMap<>();
        maps.readSourceRanges().forEach(k -> storedRanges.computeIfAbsent(k.svcId(), id -> new HashSet<>()).add(k.range()));
        maglevTables.addAll(maps.readMaglevIds());
        maps.readServices().forEach((frontend, entry) -> {
            svcIds.reserve(entry.svcId());
            List<Integer> ids = new ArrayList<>();
            for (int slot = 0; slot < entry.backendCount(); slot++) {
                Integer id = storedSlots.remove(new SlotKey(entry.svcId(), slot));
                // A hole (agent killed mid-write) is repaired by the first apply: -1 never matches.
                ids.add(id == null || !storedBackends.containsKey(id) ? -1 : id);
            }
            frontends.put(frontend, new Applied(entry.svcId(), ids, entry.flags(), entry.affinityTimeoutSeconds(),
                    storedRanges.getOrDefault(entry.svcId(), Set.of())));
        });
        orphanSlots.addAll(storedSlots.keySet());
        Set<Integer> restoredIds = new HashSet<>();
        frontends.values().forEach(a -> restoredIds.add(a.svcId()));
        maglevTables.stream().filter(id -> !restoredIds.contains(id)).forEach(orphanTables::add);
        maglevTables.removeAll(orphanTables);
        storedRanges.forEach((id, ranges) -> {
            if (!restoredIds.contains(id)) orphanRanges.addAll(rangeKeys(id, ranges));
        });
        clusterIps.addAll(maps.readClusterIps());
        serviceCidrs.addAll(maps.readServiceCidrs());
        if (!frontends.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "restored {0} frontends and {1} backends from the maps",
                    frontends.size(), backends.size());
        }
    }

    public ApplyResult apply(DesiredState desired) {
        List<String> errors = new ArrayList<>();
        maglevPicks.clear();
        // ClusterIPs first and their CIDRs after: a new address is never briefly "unallocated".
        syncSet("cluster IPs", desired.clusterIps(), clusterIps, maps::putClusterIps, null, errors);
        syncSet("service CIDRs", desired.serviceCidrs(), serviceCidrs, maps::putServiceCidrs,
                maps::deleteServiceCidrs, errors);
        int backendsAdded = addBackends(desired, errors);
        int written = 0;
        boolean everyWriteWorked = true;
        for (var e : desired.frontends().entrySet()) {
            try {
                if (writeFrontend(e.getKey(), e.getValue())) written++;
            } catch (RuntimeException ex) {
                everyWriteWorked = false;
                errors.add(e.getValue().service() + " " + e.getKey() + ": " + ex.getMessage());
            }
        }
        // Every desired frontend is now applied; as many applied as desired means none to remove.
        boolean noneGone = everyWriteWorked && frontends.size() == desired.frontends().size();
        List<Integer> removedSvcIds = noneGone ? new ArrayList<>() : removeFrontends(desired, errors);
        removeOrphans(errors);
        int backendsRemoved = removeUnusedBackends(errors);
        // Gone ClusterIPs last: their frontends went above, and their CIDRs (if gone) went first.
        syncSet("cluster IPs", desired.clusterIps(), clusterIps, null, maps::deleteClusterIps, errors);
        errors.forEach(err -> LOG.log(System.Logger.Level.ERROR, "reconcile: {0}", err));
        return new ApplyResult(written, removedSvcIds.size(), backendsAdded, backendsRemoved, removedSvcIds, errors);
    }

    /** Adds what {@code desired} has and {@code applied} lacks, and/or removes the reverse; keeps {@code applied} true. */
    private static <T> void syncSet(String what, Set<T> desired, Set<T> applied, Consumer<Collection<T>> add,
                                    Consumer<Collection<T>> remove, List<String> errors) {
        try {
            if (add != null) {
                List<T> missing = desired.stream().filter(t -> !applied.contains(t)).toList();
                if (!missing.isEmpty()) add.accept(missing);
                applied.addAll(missing);
            }
            if (remove != null) {
                List<T> extra = applied.stream().filter(t -> !desired.contains(t)).toList();
                if (!extra.isEmpty()) remove.accept(extra);
                extra.forEach(applied::remove);
            }
        } catch (RuntimeException e) {
            errors.add(what + ": " + e.getMessage());
        }
    }

    private int addBackends(DesiredState desired, List<String> errors) {
        Map<Backend, Integer> newIds = new LinkedHashMap<>();
        for (FrontendTarget target : desired.frontends().values()) {
            for (Backend b : target.backends()) {
                if (!backends.containsKey(b)) newIds.computeIfAbsent(b, x -> backendIds.allocate());
            }
        }
        Map<Integer, Backend> added = new LinkedHashMap<>();
        newIds.forEach((b, id) -> added.put(id, b));
        if (added.isEmpty()) return 0;
        try {
            maps.putBackends(added);
        } catch (RuntimeException batchFailed) {
            // Find out which ones made it; frontends needing the others are skipped and retried.
            Map<Integer, Backend> stored = maps.readBackends();
            added.forEach((id, b) -> {
                if (!b.equals(stored.get(id))) {
                    errors.add("backend " + b + " not written: " + batchFailed.getMessage());
                }
            });
            added.keySet().retainAll(stored.keySet());
        }
        added.forEach((id, b) -> backends.put(b, id));
        return added.size();
    }

    /** @return whether anything was written */
    private boolean writeFrontend(Frontend frontend, FrontendTarget target) {
        List<Integer> ids = new ArrayList<>();
        for (Backend b : target.backends()) {
            Integer id = backends.get(b);
            if (id == null) throw new IllegalStateException("backend " + b + " is not in backends_v1");
            ids.add(id);
        }
        int affinity = target.affinityTimeoutSeconds();
        Set<Cidr> ranges = Set.copyOf(target.sourceRanges());
        int flags = (target.localOnly() ? SvcValue.F_LOCAL_ONLY : 0) | (affinity > 0 ? SvcValue.F_AFFINITY : 0)
                | (target.maglev() ? SvcValue.F_MAGLEV : 0) | (ranges.isEmpty() ? 0 : SvcValue.F_SOURCE_RANGES);
        boolean needsTable = target.maglev() && !ids.isEmpty();
        Applied current = frontends.get(frontend);
        if (current == null) {
            int svcId = svcIds.allocate();
            try {
                maps.putSlots(svcId, 0, ids);
                if (needsTable) writeMaglevTable(svcId, target.backends(), ids);
                maps.putSourceRanges(rangeKeys(svcId, ranges));
                maps.putService(frontend, svcId, ids.size(), flags, affinity);
            } catch (RuntimeException e) {
                maps.deleteSlots(svcId, 0, ids.size());
                throw e;
            }
            frontends.put(frontend, new Applied(svcId, ids, flags, affinity, ranges));
            return true;
        }
        int svcId = current.svcId();
        boolean tableMissing = needsTable && !maglevTables.contains(svcId);
        if (current.backendIds().equals(ids) && current.sameSettings(flags, affinity)
                && current.sourceRanges().equals(ranges) && !tableMissing) {
            return false;
        }
        int oldCount = current.backendIds().size();
        int from = 0;
        while (from < Math.min(oldCount, ids.size()) && current.backendIds().get(from).equals(ids.get(from))) from++;
        maps.putSlots(svcId, from, ids.subList(from, ids.size()));
        // Table entries switch one by one between backends that both exist: every read is valid.
        if (needsTable && (tableMissing || !current.backendIds().equals(ids))) {
            writeMaglevTable(svcId, target.backends(), ids);
        }
        // Ranges are in place before the flag that checks them, and go after it is gone.
        maps.putSourceRanges(rangeKeys(svcId, difference(ranges, current.sourceRanges())));
        if (ids.size() != oldCount || !current.sameSettings(flags, affinity)) {
            maps.putService(frontend, svcId, ids.size(), flags, affinity);
        }
        maps.deleteSourceRanges(rangeKeys(svcId, difference(current.sourceRanges(), ranges)));
        if (ids.size() < oldCount) maps.deleteSlots(svcId, ids.size(), oldCount);
        if (!needsTable && maglevTables.remove(svcId)) maps.deleteMaglevTables(List.of(svcId));
        frontends.put(frontend, new Applied(svcId, ids, flags, affinity, ranges));
        return true;
    }

    /** The frontend's Maglev table, from backend names (the same on every node) to this node's ids. */
    private void writeMaglevTable(int svcId, List<Backend> targets, List<Integer> ids) {
        int[] picks = maglevPicks.computeIfAbsent(targets, t ->
                Maglev.table(t.stream().map(Backend::maglevName).toList(), maps.maglevTableSize()));
        int[] table = new int[picks.length];
        for (int i = 0; i < picks.length; i++) table[i] = ids.get(picks[i]);
        maps.putMaglevTable(svcId, table);
        maglevTables.add(svcId);
    }

    private static List<SrcRangeKey> rangeKeys(int svcId, Collection<Cidr> ranges) {
        return ranges.stream().map(r -> new SrcRangeKey(svcId, r)).toList();
    }

    private static <T> Set<T> difference(Set<T> a, Set<T> b) {
        Set<T> out = new HashSet<>(a);
        out.removeAll(b);
        return out;
    }

    private List<Integer> removeFrontends(DesiredState desired, List<String> errors) {
        List<Integer> removed = new ArrayList<>();
        for (var it = frontends.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (desired.frontends().containsKey(e.getKey())) continue;
            Applied applied = e.getValue();
            try {
                maps.deleteService(e.getKey());
                maps.deleteSlots(applied.svcId(), 0, applied.backendIds().size());
                maps.deleteSourceRanges(rangeKeys(applied.svcId(), applied.sourceRanges()));
                if (maglevTables.remove(applied.svcId())) maps.deleteMaglevTables(List.of(applied.svcId()));
            } catch (RuntimeException ex) {
                errors.add("removing " + e.getKey() + ": " + ex.getMessage());
                continue;
            }
            it.remove();
            removed.add(applied.svcId());
        }
        return removed;
    }

    /** What the restore found that no frontend reaches, once. */
    private void removeOrphans(List<String> errors) {
        if (!orphanSlots.isEmpty() || !orphanTables.isEmpty() || !orphanRanges.isEmpty()) {
            try {
                maps.deleteSlots(orphanSlots);
                orphanSlots.clear();
                maps.deleteMaglevTables(orphanTables);
                orphanTables.clear();
                maps.deleteSourceRanges(orphanRanges);
                orphanRanges.clear();
            } catch (RuntimeException ex) {
                errors.add("removing orphaned slots, Maglev tables or source ranges: " + ex.getMessage());
            }
        }
    }

    private int removeUnusedBackends(List<String> errors) {
        Set<Integer> used = new HashSet<>();
        frontends.values().forEach(a -> used.addAll(a.backendIds()));
        Set<Integer> unused = new HashSet<>(orphanBackends);
        backends.forEach((b, id) -> {
            if (!used.contains(id)) unused.add(id);
        });
        if (unused.isEmpty()) return 0;
        try {
            maps.deleteBackends(List.copyOf(unused));
        } catch (RuntimeException ex) {
            errors.add("removing unused backends: " + ex.getMessage());
            return 0;
        }
        backends.values().removeAll(unused);
        orphanBackends.clear();
        return unused.size();
    }
}
