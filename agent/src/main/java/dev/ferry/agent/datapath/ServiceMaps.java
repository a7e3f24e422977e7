package dev.ferry.agent.datapath;

import dev.ferry.agent.datapath.abi.SlotKey;
import dev.ferry.agent.datapath.abi.SrcRangeKey;
import dev.ferry.agent.datapath.abi.SvcKey;
import dev.ferry.agent.datapath.abi.SvcValue;
import dev.ferry.agent.model.Cidr;
import dev.ferry.agent.model.Ipv4;
import dev.ferry.agent.translate.Backend;
import dev.ferry.agent.translate.Frontend;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * services_v2, slots_v1, backends_v2, vips_v1, svc_cidrs_v1, maglev_v1 and src_ranges_v1 in the
 * agent's vocabulary. Only the reconciler calls the writing methods; it alone decides their order.
 */
public final class ServiceMaps {
    /** vips_v1 value: VIP_F_CLUSTER_IP. */
    static final int VIP_F_CLUSTER_IP = 0x1;

    /** The maps, as tables; {@code maglevTableSize} is the entries of each maglev_v1 value. */
    public record Tables(MapTable<SvcKey, SvcValue> services, MapTable<SlotKey, Integer> slots,
                         BackendSlots backends, MapTable<Inet4Address, Integer> clusterIps,
                         MapTable<Cidr, Integer> serviceCidrs, MapTable<Integer, int[]> maglev,
                         MapTable<SrcRangeKey, Integer> sourceRanges, int maglevTableSize) {
    }

    private final MapTable<SvcKey, SvcValue> services;
    private final MapTable<SlotKey, Integer> slots;
    private final BackendSlots backends;
    private final MapTable<Inet4Address, Integer> clusterIps;
    private final MapTable<Cidr, Integer> serviceCidrs;
    private final MapTable<Integer, int[]> maglev;
    private final MapTable<SrcRangeKey, Integer> sourceRanges;
    private final int maglevTableSize;

    public ServiceMaps(Tables t) {
        this.services = t.services();
        this.slots = t.slots();
        this.backends = t.backends();
        this.clusterIps = t.clusterIps();
        this.serviceCidrs = t.serviceCidrs();
        this.maglev = t.maglev();
        this.sourceRanges = t.sourceRanges();
        this.maglevTableSize = t.maglevTableSize();
    }

    public int maglevTableSize() {
        return maglevTableSize;
    }

    /** svc ids that have a Maglev table; the tables themselves are only read to dump them. */
    public Set<Integer> readMaglevIds() {
        return maglev.keys();
    }

    public void putMaglevTable(int svcId, int[] backendIds) {
        maglev.put(svcId, backendIds);
    }

    public void deleteMaglevTables(Collection<Integer> svcIds) {
        if (!svcIds.isEmpty()) maglev.removeAll(List.copyOf(svcIds));
    }

    public Set<SrcRangeKey> readSourceRanges() {
        return sourceRanges.entries().keySet();
    }

    public void putSourceRanges(Collection<SrcRangeKey> keys) {
        Map<SrcRangeKey, Integer> entries = new LinkedHashMap<>();
        keys.forEach(k -> entries.put(k, 1));
        if (!entries.isEmpty()) sourceRanges.putAll(entries);
    }

    public void deleteSourceRanges(Collection<SrcRangeKey> keys) {
        if (!keys.isEmpty()) sourceRanges.removeAll(List.copyOf(keys));
    }

    public Set<Inet4Address> readClusterIps() {
        return clusterIps.entries().keySet();
    }

    public Set<Cidr> readServiceCidrs() {
        return serviceCidrs.entries().keySet();
    }

    public void putClusterIps(Collection<Inet4Address> ips) {
        Map<Inet4Address, Integer> entries = new LinkedHashMap<>();
        ips.forEach(ip -> entries.put(ip, VIP_F_CLUSTER_IP));
        clusterIps.putAll(entries);
    }

    public void deleteClusterIps(Collection<Inet4Address> ips) {
        clusterIps.removeAll(List.copyOf(ips));
    }

    public void putServiceCidrs(Collection<Cidr> cidrs) {
        Map<Cidr, Integer> entries = new LinkedHashMap<>();
        cidrs.forEach(c -> entries.put(c, 1));
        serviceCidrs.putAll(entries);
    }

    public void deleteServiceCidrs(Collection<Cidr> cidrs) {
        serviceCidrs.removeAll(List.copyOf(cidrs));
    }

    public record ServiceEntry(int svcId, int backendCount, int flags, int affinityTimeoutSeconds) {
    }

    public Map<Frontend, ServiceEntry> readServices() {
        Map<Frontend, ServiceEntry> out = new TreeMap<>();
        services.entries().forEach((k, v) ->
                out.put(new Frontend(k.vip(), k.port(), k.protocol(), Frontend.Scope.values()[k.scope()]),
                        new ServiceEntry(v.svcId(), v.backendCount(), v.flags(), v.affinityTimeoutSeconds())));
        return out;
    }

    public Map<SlotKey, Integer> readSlots() {
        return slots.entries();
    }

    /** Live backends by id. */
    public Map<Integer, Backend> readBackends() {
        return backends.read();
    }

    /** How many backends can be live at once: the slots of backends_v2. */
    public int backendSlots() {
        return backends.slots();
    }

    /** Writes new backends; their ids' slots must be free (BackendSlots). */
    public void putBackends(Map<Integer, Backend> byId) {
        backends.put(byId);
    }

    public void deleteBackends(Map<Integer, Backend> byId) {
        backends.remove(byId);
    }

    /** Writes slots {@code from..} of a frontend; slot i of {@code backendIds} goes to index from+i. */
    public void putSlots(int svcId, int from, List<Integer> backendIds) {
        Map<SlotKey, Integer> entries = new LinkedHashMap<>();
        for (int i = 0; i < backendIds.size(); i++) entries.put(new SlotKey(svcId, from + i), backendIds.get(i));
        putSlots(entries);
    }

    /** Slots of any frontends, in one batch. */
    public void putSlots(Map<SlotKey, Integer> entries) {
        slots.putAll(entries);
    }

    public void deleteSlots(int svcId, int fromInclusive, int toExclusive) {
        deleteSlots(IntStream.range(fromInclusive, toExclusive).mapToObj(i -> new SlotKey(svcId, i)).toList());
    }

    public void deleteSlots(List<SlotKey> keys) {
        slots.removeAll(keys);
    }

    public void putService(Frontend frontend, int svcId, int backendCount, int flags, int affinityTimeoutSeconds) {
        services.put(key(frontend), new SvcValue(svcId, backendCount, flags, affinityTimeoutSeconds));
    }

    public void deleteService(Frontend frontend) {
        services.remove(key(frontend));
    }

    /** Service entries of any frontends, in one batch. */
    public void putServices(Map<Frontend, ServiceEntry> entries) {
        Map<SvcKey, SvcValue> values = LinkedHashMap.newLinkedHashMap(entries.size());
        entries.forEach((f, e) -> values.put(key(f), new SvcValue(e.svcId(), e.backendCount(), e.flags(),
                e.affinityTimeoutSeconds())));
        services.putAll(values);
    }

    public void deleteServices(Collection<Frontend> frontends) {
        services.removeAll(frontends.stream().map(ServiceMaps::key).toList());
    }

    /** How many entries the writer put in each map, by its own count: {@link #usage} takes them. */
    public record Written(int services, int slots, int clusterIps, int serviceCidrs, int maglevTables,
                          int sourceRanges) {
        public static final Written NONE = new Written(0, 0, 0, 0, 0, 0);
    }

    /**
     * map → {entries, capacity}, for the usage metric: the writer's count of its entries, and
     * backends_v2's live slots, which this class keeps. Counting a hash map in the kernel means
     * copying it out whole (BPF_MAP_LOOKUP_BATCH over every bucket): at 10,000 services of 10
     * endpoints that took a core for about 90 ms every time the metrics were refreshed.
     */
    public Map<String, int[]> usage(Written written) {
        Map<String, int[]> out = new LinkedHashMap<>();
        out.put("services_v2", new int[]{written.services(), services.capacity()});
        out.put("slots_v1", new int[]{written.slots(), slots.capacity()});
        out.put("backends_v2", new int[]{backends.liveCount(), backends.slots()});
        out.put("vips_v1", new int[]{written.clusterIps(), clusterIps.capacity()});
        out.put("svc_cidrs_v1", new int[]{written.serviceCidrs(), serviceCidrs.capacity()});
        out.put("maglev_v1", new int[]{written.maglevTables(), maglev.capacity()});
        out.put("src_ranges_v1", new int[]{written.sourceRanges(), sourceRanges.capacity()});
        return out;
    }

    /**
     * A stable text dump: one line per frontend with its backends in slot order, resolved
     * through slots and backends exactly as the datapath resolves them. Ids are left out on
     * purpose, so the dump only changes when forwarding changes.
     */
    public String dump() {
        return dumpFrontends() + dumpAddresses();
    }

    /** The frontend lines of {@link #dump()}. */
    public String dumpFrontends() {
        Map<SlotKey, Integer> slotMap = readSlots();
        Map<Integer, Backend> backendMap = readBackends();
        Map<Integer, List<String>> rangesById = new TreeMap<>();
        readSourceRanges().stream().sorted(Comparator.comparing(SrcRangeKey::range))
                .forEach(k -> rangesById.computeIfAbsent(k.svcId(), id -> new ArrayList<>()).add(k.range().toString()));
        Set<Integer> tables = readMaglevIds();
        StringBuilder out = new StringBuilder();
        readServices().forEach((frontend, entry) -> {
            boolean external = frontend.scope() == Frontend.Scope.EXTERNAL;
            out.append(frontend).append(" ->");
            if (entry.backendCount() == 0) {
                out.append((entry.flags() & SvcValue.F_LOCAL_ONLY) != 0 ? " drop (no local endpoints)" : " reject");
            }
            List<String> targets = new ArrayList<>();
            for (int slot = 0; slot < entry.backendCount(); slot++) {
                Integer id = slotMap.get(new SlotKey(entry.svcId(), slot));
                Backend b = id == null ? null : backendMap.get(id);
                // From outside, a backend here is reached without SNAT; the others through it.
                targets.add(b == null ? "MISSING" : b + (external && b.local() ? "(local)" : ""));
            }
            targets.sort(Comparator.naturalOrder());
            targets.forEach(t -> out.append(' ').append(t));
            if ((entry.flags() & SvcValue.F_AFFINITY) != 0) {
                out.append(" (affinity ").append(entry.affinityTimeoutSeconds()).append("s)");
            }
            if ((entry.flags() & SvcValue.F_MAGLEV) != 0) {
                out.append(entry.backendCount() == 0 || tables.contains(entry.svcId()) ? " (maglev)" : " (maglev table MISSING)");
            }
            if ((entry.flags() & SvcValue.F_SOURCE_RANGES) != 0) {
                out.append(" (from ").append(String.join(" ", rangesById.getOrDefault(entry.svcId(), List.of()))).append(')');
            }
            out.append('\n');
        });
        return out.toString();
    }

    private String dumpAddresses() {
        StringBuilder out = new StringBuilder();
        // Where no frontend matches: allocated ClusterIPs reject, the rest of the CIDRs drops.
        List<String> ips = readClusterIps().stream().sorted(Ipv4::compare).map(Inet4Address::getHostAddress).toList();
        if (!ips.isEmpty()) out.append("cluster IPs (other ports reject): ").append(String.join(" ", ips)).append('\n');
        List<String> cidrs = readServiceCidrs().stream().sorted().map(Cidr::toString).toList();
        if (!cidrs.isEmpty()) out.append("service CIDRs (unallocated drop): ").append(String.join(" ", cidrs)).append('\n');
        return out.toString();
    }

    static SvcKey key(Frontend f) {
        return new SvcKey(f.vip(), f.port(), f.protocol(), f.scope().ordinal());
    }

}
