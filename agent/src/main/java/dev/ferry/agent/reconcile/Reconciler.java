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
import java.util.Collection;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.IntSupplier;

/**
 * Diffs desired against applied state and writes the difference, in an order that never lets
 * the datapath see a half-built service:
 * <ol>
 *   <li>backends a frontend will need, before any slot names them;</li>
 *   <li>per frontend: its slots, then the count that makes them reachable (when shrinking, the
 *       smaller count first, then the slots above it);</li>
 *   <li>removed frontends, then slots nobody reaches, then backends nobody references.</li>
 * </ol>
 * A pass costs the services that changed: it looks only at the frontends of services whose part
 * of the desired state is another instance than in the last pass ({@link ServiceClaims}), and at
 * those it could not write before; a backend goes when no slot names it any more (counted, not
 * searched for). Not thread-safe by design: one writer at a time ({@link ReconcileLoop}) owns
 * it. At construction it restores ids and applied state from the (pinned) maps, so an agent
 * restart rewrites nothing that is still right and established flows keep their backend ids.
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
    private final BackendIds backendIds;
    private final Map<Frontend, Applied> frontends = new HashMap<>();
    private final Map<Backend, Integer> backends = new HashMap<>();
    private final Map<Integer, Backend> backendsById = new HashMap<>();
    /** How many slots name each backend id; ids that dropped to none are checked at the end of a pass. */
    private final Map<Integer, Integer> backendRefs = new HashMap<>();
    private Set<Integer> maybeUnused = new HashSet<>();
    private final ServiceClaims claims = new ServiceClaims();
    /**
     * Frontends and ClusterIPs the next pass must look at: those of services that changed, those
     * a pass could not write, and at first everything restored (what no service claims goes).
     * A pass takes them and leaves new sets behind: a set that once held every frontend keeps
     * its table after clear(), and walking that would cost the cluster again on every pass.
     */
    private Set<Frontend> unsettled = new HashSet<>();
    private Set<Inet4Address> unsettledIps = new HashSet<>();
    /** Slots found at restore that no frontend reaches; deleted by the first apply. */
    private final List<SlotKey> orphanSlots = new ArrayList<>();
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
    /** slots_v1 and src_ranges_v1 entries the applied frontends hold, kept by {@link #remember} and {@link #forget}. */
    private int appliedSlots, appliedRanges;
    /** The entries written, as the last pass left them, for the metrics thread ({@link #usage()}). */
    private volatile ServiceMaps.Written written = ServiceMaps.Written.NONE;

    public Reconciler(ServiceMaps maps) {
        this.maps = maps;
        this.backendIds = new BackendIds(maps.backendSlots());
        restore();
    }

    private void restore() {
        Map<Integer, Backend> storedBackends = maps.readBackends();
        storedBackends.forEach((id, backend) -> {
            backendIds.reserve(id);
            backendsById.put(id, backend);
            backends.putIfAbsent(backend, id); // a duplicate's id is never chosen again
        });
        maybeUnused.addAll(storedBackends.keySet()); // those no restored slot names go at the first pass
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
            remember(frontend, new Applied(entry.svcId(), ids, entry.flags(), entry.affinityTimeoutSeconds(),
                    storedRanges.getOrDefault(entry.svcId(), Set.of())));
            reference(ids, 1);
        });
        unsettled.addAll(frontends.keySet());
        orphanSlots.addAll(storedSlots.keySet());
        Set<Integer> restoredIds = new HashSet<>();
        frontends.values().forEach(a -> restoredIds.add(a.svcId()));
        maglevTables.stream().filter(id -> !restoredIds.contains(id)).forEach(orphanTables::add);
        maglevTables.removeAll(orphanTables);
        storedRanges.forEach((id, ranges) -> {
            if (!restoredIds.contains(id)) orphanRanges.addAll(rangeKeys(id, ranges));
        });
        clusterIps.addAll(maps.readClusterIps());
        unsettledIps.addAll(clusterIps);
        serviceCidrs.addAll(maps.readServiceCidrs());
        publishWritten();
        if (!frontends.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "restored {0} frontends and {1} backends from the maps",
                    frontends.size(), backends.size());
        }
    }

    public ApplyResult apply(DesiredState desired) {
        List<String> errors = new ArrayList<>();
        maglevPicks.clear();
        claims.update(desired, unsettled::add, unsettledIps::add);
        // ClusterIPs first and their CIDRs after: a new address is never briefly "unallocated".
        addClusterIps(errors);
        syncServiceCidrs(desired.serviceCidrs(), errors);
        // Only the frontends of services that changed (all of them on the first pass) are looked at.
        TreeMap<Frontend, FrontendTarget> toWrite = new TreeMap<>();
        List<Frontend> toRemove = new ArrayList<>();
        for (Frontend f : unsettled) {
            FrontendTarget target = claims.target(f);
            if (target != null) toWrite.put(f, target);
            else if (frontends.containsKey(f)) toRemove.add(f);
        }
        unsettled = new HashSet<>();
        Collection<Integer> backendsAdded = addBackends(toWrite.values(), errors);
        Map<Frontend, FrontendTarget> fresh = new LinkedHashMap<>(), changed = new TreeMap<>();
        toWrite.forEach((f, t) -> (frontends.containsKey(f) ? changed : fresh).put(f, t));
        int written = writeNewFrontends(fresh, errors) + writeEach(changed, errors);
        List<Integer> removedSvcIds = removeFrontends(toRemove, errors);
        removeOrphans(errors);
        int backendsRemoved = removeUnusedBackends(backendsAdded, errors);
        // Gone ClusterIPs last: their frontends went above, and their CIDRs (if gone) went first.
        removeClusterIps(errors);
        publishWritten();
        errors.forEach(err -> LOG.log(System.Logger.Level.ERROR, "reconcile: {0}", err));
        return new ApplyResult(written, removedSvcIds.size(), backendsAdded.size(), backendsRemoved, removedSvcIds, errors);
    }

    private void addClusterIps(List<String> errors) {
        List<Inet4Address> missing = unsettledIps.stream().filter(ip -> claims.claimsIp(ip) && !clusterIps.contains(ip)).toList();
        try {
            if (!missing.isEmpty()) maps.putClusterIps(missing);
            clusterIps.addAll(missing);
            missing.forEach(unsettledIps::remove);
        } catch (RuntimeException e) {
            errors.add("cluster IPs: " + e.getMessage());
        }
    }

    private void removeClusterIps(List<String> errors) {
        List<Inet4Address> gone = unsettledIps.stream().filter(ip -> !claims.claimsIp(ip) && clusterIps.contains(ip)).toList();
        try {
            if (!gone.isEmpty()) maps.deleteClusterIps(gone);
            gone.forEach(clusterIps::remove);
            Set<Inet4Address> still = new HashSet<>();
            unsettledIps.stream().filter(ip -> claims.claimsIp(ip) != clusterIps.contains(ip)).forEach(still::add);
            unsettledIps = still;
        } catch (RuntimeException e) {
            errors.add("cluster IPs: " + e.getMessage());
        }
    }

    /** A handful of prefixes: compared whole every pass, new ones written before gone ones are removed. */
    private void syncServiceCidrs(Set<Cidr> desired, List<String> errors) {
        try {
            List<Cidr> missing = desired.stream().filter(c -> !serviceCidrs.contains(c)).toList();
            if (!missing.isEmpty()) maps.putServiceCidrs(missing);
            serviceCidrs.addAll(missing);
            List<Cidr> extra = serviceCidrs.stream().filter(c -> !desired.contains(c)).toList();
            if (!extra.isEmpty()) maps.deleteServiceCidrs(extra);
            extra.forEach(serviceCidrs::remove);
        } catch (RuntimeException e) {
            errors.add("service CIDRs: " + e.getMessage());
        }
    }

    /**
     * Backends the targets need that have no id yet. Those that get no id (every slot holds a
     * live backend) or whose write fails are left out: the frontends needing them fail in
     * {@link #writeFrontend} before writing anything, keep what they had, and are retried.
     *
     * @return the ids added; one no slot names after the pass (its frontend failed) goes again at its end
     */
    private Collection<Integer> addBackends(Collection<FrontendTarget> targets, List<String> errors) {
        int mentioned = 0;
        for (FrontendTarget target : targets) mentioned += target.backends().size();
        // Sized for all of them: a first pass adds every backend of the cluster, and growing a
        // table 100,000 entries large rehashes it a dozen times.
        Map<Integer, Backend> added = LinkedHashMap.newLinkedHashMap(mentioned);
        Set<Backend> seen = HashSet.newHashSet(mentioned);
        Set<Backend> withoutId = new TreeSet<>();
        String noIdReason = null;
        for (FrontendTarget target : targets) {
            for (Backend b : target.backends()) {
                if (backends.containsKey(b) || !seen.add(b)) continue;
                try {
                    added.put(backendIds.allocate(), b);
                } catch (IllegalStateException full) {
                    withoutId.add(b);
                    noIdReason = full.getMessage();
                }
            }
        }
        if (!withoutId.isEmpty()) {
            errors.add(noIdReason + ": " + withoutId.size() + " backends not written (first " + withoutId.iterator().next()
                    + "); the services needing them keep what they had until backends go");
        }
        if (added.isEmpty()) return List.of();
        try {
            maps.putBackends(added);
        } catch (RuntimeException batchFailed) {
            // Find out which ones made it; frontends needing the others are skipped and retried.
            Map<Integer, Backend> stored = maps.readBackends();
            added.forEach((id, b) -> {
                if (!b.equals(stored.get(id))) {
                    errors.add("backend " + b + " not written: " + batchFailed.getMessage());
                    backendIds.release(id); // never written: its slot stays free
                }
            });
            added.keySet().retainAll(stored.keySet());
        }
        added.forEach((id, b) -> {
            backends.put(b, id);
            backendsById.put(id, b);
        });
        return added.keySet();
    }

    /**
     * What a frontend's entries are to say for its target (backend ids in slot order), under the
     * id {@code svcId} gives once every backend has its id (a frontend that fails uses up none).
     */
    private Applied wanted(IntSupplier svcId, FrontendTarget target) {
        List<Integer> ids = new ArrayList<>(target.backends().size());
        for (Backend b : target.backends()) {
            Integer id = backends.get(b);
            if (id == null) throw new IllegalStateException("backend " + b + " is not in backends_v2");
            ids.add(id);
        }
        int affinity = target.affinityTimeoutSeconds();
        Set<Cidr> ranges = Set.copyOf(target.sourceRanges());
        int flags = (target.localOnly() ? SvcValue.F_LOCAL_ONLY : 0) | (affinity > 0 ? SvcValue.F_AFFINITY : 0)
                | (target.maglev() ? SvcValue.F_MAGLEV : 0) | (ranges.isEmpty() ? 0 : SvcValue.F_SOURCE_RANGES);
        return new Applied(svcId.getAsInt(), ids, flags, affinity, ranges);
    }

    private static boolean needsTable(FrontendTarget target) {
        return target.maglev() && !target.backends().isEmpty();
    }

    /**
     * Frontends the maps do not have yet (every one when an agent starts on empty maps), a batch
     * per map instead of a few syscalls each: all their slots, Maglev tables and source ranges,
     * then all their service entries, which make them reachable. If a batch fails, what it
     * wrote goes again (nothing reached it but these new entries) and each frontend is written on
     * its own, which reports what fails.
     * @return how many were written
     */
    private int writeNewFrontends(Map<Frontend, FrontendTarget> fresh, List<String> errors) {
        Map<Frontend, Applied> planned = LinkedHashMap.newLinkedHashMap(fresh.size());
        Map<SlotKey, Integer> slots = HashMap.newHashMap(fresh.size() * 4);
        List<SrcRangeKey> ranges = new ArrayList<>();
        Map<Frontend, ServiceMaps.ServiceEntry> entries = LinkedHashMap.newLinkedHashMap(fresh.size());
        for (var e : fresh.entrySet()) {
            Applied a;
            try {
                a = wanted(svcIds::allocate, e.getValue());
            } catch (RuntimeException ex) {
                unsettled.add(e.getKey());
                errors.add(e.getValue().service() + " " + e.getKey() + ": " + ex.getMessage());
                continue;
            }
            planned.put(e.getKey(), a);
            for (int i = 0; i < a.backendIds().size(); i++) slots.put(new SlotKey(a.svcId(), i), a.backendIds().get(i));
            ranges.addAll(rangeKeys(a.svcId(), a.sourceRanges()));
            entries.put(e.getKey(), new ServiceMaps.ServiceEntry(a.svcId(), a.backendIds().size(), a.flags(),
                    a.affinityTimeoutSeconds()));
        }
        if (planned.isEmpty()) return 0;
        try {
            maps.putSlots(slots);
            planned.forEach((f, a) -> {
                if (needsTable(fresh.get(f))) writeMaglevTable(a.svcId(), fresh.get(f).backends(), a.backendIds());
            });
            maps.putSourceRanges(ranges);
            maps.putServices(entries);
        } catch (RuntimeException batchFailed) {
            LOG.log(System.Logger.Level.WARNING, "writing {0} new frontends at once failed ({1}); writing them one by one",
                    planned.size(), batchFailed.getMessage());
            try {
                maps.deleteServices(entries.keySet());
                maps.deleteSlots(List.copyOf(slots.keySet()));
                maps.deleteSourceRanges(ranges);
                List<Integer> tables = planned.values().stream().map(Applied::svcId).filter(maglevTables::remove).toList();
                maps.deleteMaglevTables(tables);
            } catch (RuntimeException undoFailed) {
                errors.add("undoing a failed batch of new frontends: " + undoFailed.getMessage());
            }
            // The pass's own map; those not planned are reported already.
            fresh.keySet().retainAll(planned.keySet());
            return writeEach(fresh, errors);
        }
        planned.forEach((f, a) -> {
            remember(f, a);
            reference(a.backendIds(), 1);
        });
        return planned.size();
    }

    /** Frontends one by one; one that fails is reported and tried again next pass. */
    private int writeEach(Map<Frontend, FrontendTarget> targets, List<String> errors) {
        int written = 0;
        for (var e : targets.entrySet()) {
            try {
                if (writeFrontend(e.getKey(), e.getValue())) written++;
            } catch (RuntimeException ex) {
                unsettled.add(e.getKey()); // tried again next pass
                errors.add(e.getValue().service() + " " + e.getKey() + ": " + ex.getMessage());
            }
        }
        return written;
    }

    /** @return whether anything was written */
    private boolean writeFrontend(Frontend frontend, FrontendTarget target) {
        Applied current = frontends.get(frontend);
        Applied want = wanted(current == null ? svcIds::allocate : current::svcId, target);
        List<Integer> ids = want.backendIds();
        int flags = want.flags(), affinity = want.affinityTimeoutSeconds();
        Set<Cidr> ranges = want.sourceRanges();
        boolean needsTable = needsTable(target);
        if (current == null) {
            int svcId = want.svcId();
            try {
                maps.putSlots(svcId, 0, ids);
                if (needsTable) writeMaglevTable(svcId, target.backends(), ids);
                maps.putSourceRanges(rangeKeys(svcId, ranges));
                maps.putService(frontend, svcId, ids.size(), flags, affinity);
            } catch (RuntimeException e) {
                maps.deleteSlots(svcId, 0, ids.size());
                throw e;
            }
            remember(frontend, want);
            reference(ids, 1);
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
        remember(frontend, want);
        reference(current.backendIds(), -1);
        reference(ids, 1);
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

    private List<Integer> removeFrontends(List<Frontend> gone, List<String> errors) {
        List<Integer> removed = new ArrayList<>();
        for (Frontend frontend : gone) {
            Applied applied = frontends.get(frontend);
            try {
                maps.deleteService(frontend);
                maps.deleteSlots(applied.svcId(), 0, applied.backendIds().size());
                maps.deleteSourceRanges(rangeKeys(applied.svcId(), applied.sourceRanges()));
                if (maglevTables.remove(applied.svcId())) maps.deleteMaglevTables(List.of(applied.svcId()));
            } catch (RuntimeException ex) {
                unsettled.add(frontend);
                errors.add("removing " + frontend + ": " + ex.getMessage());
                continue;
            }
            forget(frontend);
            reference(applied.backendIds(), -1);
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

    private void remember(Frontend frontend, Applied applied) {
        count(frontends.put(frontend, applied), -1);
        count(applied, 1);
    }

    private void forget(Frontend frontend) {
        count(frontends.remove(frontend), -1);
    }

    private void count(Applied applied, int sign) {
        if (applied == null) return;
        appliedSlots += sign * applied.backendIds().size();
        appliedRanges += sign * applied.sourceRanges().size();
    }

    /** What restore found and no pass removed yet is in the maps too. */
    private void publishWritten() {
        written = new ServiceMaps.Written(frontends.size(), appliedSlots + orphanSlots.size(), clusterIps.size(),
                serviceCidrs.size(), maglevTables.size() + orphanTables.size(), appliedRanges + orphanRanges.size());
    }

    /**
     * map → {entries, capacity} for the usage metric, safe from any thread: the entries are this
     * reconciler's count of what it wrote at the end of its last pass, so no metric walks a kernel map.
     */
    public Map<String, int[]> usage() {
        return maps.usage(written);
    }

    /** Counts slots naming backend ids up or down; ids no slot names any more are checked at the end of the pass. */
    private void reference(List<Integer> ids, int delta) {
        for (Integer id : ids) {
            if (id < 0) continue; // a hole found at restore
            int refs = backendRefs.merge(id, delta, Integer::sum);
            if (refs == 0) {
                backendRefs.remove(id);
                maybeUnused.add(id);
            }
        }
    }

    /** @param added this pass's new ids, not in maybeUnused: checked here without copying them there first */
    private int removeUnusedBackends(Collection<Integer> added, List<String> errors) {
        Map<Integer, Backend> unused = new TreeMap<>();
        // Only ids still held: emptying the slot of an id that left it could empty a newer id's.
        for (Integer id : maybeUnused) {
            if (!backendRefs.containsKey(id) && backendsById.containsKey(id)) unused.put(id, backendsById.get(id));
        }
        for (Integer id : added) {
            if (!backendRefs.containsKey(id)) unused.put(id, backendsById.get(id));
        }
        maybeUnused = new HashSet<>();
        if (unused.isEmpty()) return 0;
        try {
            maps.deleteBackends(unused);
        } catch (RuntimeException ex) {
            maybeUnused.addAll(unused.keySet());
            errors.add("removing unused backends: " + ex.getMessage());
            return 0;
        }
        unused.forEach((id, b) -> {
            backendsById.remove(id);
            backends.remove(b, id); // a duplicate found at restore leaves the id in use alone
            backendIds.release(id);
        });
        return unused.size();
    }
}
