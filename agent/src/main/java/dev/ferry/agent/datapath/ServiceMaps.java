package dev.ferry.agent.datapath;

import dev.ferry.agent.datapath.abi.BackendValue;
import dev.ferry.agent.datapath.abi.SlotKey;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * services_v2, slots_v1, backends_v1, vips_v1 and svc_cidrs_v1 in the agent's vocabulary. Only
 * the reconciler calls the writing methods; it alone decides their order.
 */
public final class ServiceMaps {
    /** vips_v1 value: VIP_F_CLUSTER_IP. */
    static final int VIP_F_CLUSTER_IP = 0x1;

    private final MapTable<SvcKey, SvcValue> services;
    private final MapTable<SlotKey, Integer> slots;
    private final MapTable<Integer, BackendValue> backends;
    private final MapTable<Inet4Address, Integer> clusterIps;
    private final MapTable<Cidr, Integer> serviceCidrs;

    public ServiceMaps(MapTable<SvcKey, SvcValue> services, MapTable<SlotKey, Integer> slots,
                       MapTable<Integer, BackendValue> backends, MapTable<Inet4Address, Integer> clusterIps,
                       MapTable<Cidr, Integer> serviceCidrs) {
        this.services = services;
        this.slots = slots;
        this.backends = backends;
        this.clusterIps = clusterIps;
        this.serviceCidrs = serviceCidrs;
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
                out.put(new Frontend(k.vip(), k.port(), k.protocol()), new ServiceEntry(v.svcId(), v.backendCount(), v.flags(),
                        v.affinityTimeoutSeconds())));
        return out;
    }

    public Map<SlotKey, Integer> readSlots() {
        return slots.entries();
    }

    public Map<Integer, Backend> readBackends() {
        Map<Integer, Backend> out = new TreeMap<>();
        backends.entries().forEach((id, b) -> out.put(id, new Backend(b.address(), b.port())));
        return out;
    }

    public void putBackends(Map<Integer, Backend> byId) {
        Map<Integer, BackendValue> values = new LinkedHashMap<>();
        byId.forEach((id, b) -> values.put(id, new BackendValue(b.address(), b.port(), 0)));
        backends.putAll(values);
    }

    public void deleteBackends(List<Integer> ids) {
        backends.removeAll(ids);
    }

    /** Writes slots {@code from..} of a frontend; slot i of {@code backendIds} goes to index from+i. */
    public void putSlots(int svcId, int from, List<Integer> backendIds) {
        Map<SlotKey, Integer> entries = new LinkedHashMap<>();
        for (int i = 0; i < backendIds.size(); i++) entries.put(new SlotKey(svcId, from + i), backendIds.get(i));
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

    public Map<String, int[]> usage() {
        Map<String, int[]> out = new LinkedHashMap<>();
        out.put("services_v2", new int[]{services.entries().size(), services.capacity()});
        out.put("slots_v1", new int[]{slots.entries().size(), slots.capacity()});
        out.put("backends_v1", new int[]{backends.entries().size(), backends.capacity()});
        out.put("vips_v1", new int[]{clusterIps.entries().size(), clusterIps.capacity()});
        out.put("svc_cidrs_v1", new int[]{serviceCidrs.entries().size(), serviceCidrs.capacity()});
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
        StringBuilder out = new StringBuilder();
        readServices().forEach((frontend, entry) -> {
            out.append(frontend).append(" ->");
            if (entry.backendCount() == 0) {
                out.append((entry.flags() & SvcValue.F_LOCAL_ONLY) != 0 ? " drop (no local endpoints)" : " reject");
            }
            List<String> targets = new ArrayList<>();
            for (int slot = 0; slot < entry.backendCount(); slot++) {
                Integer id = slotMap.get(new SlotKey(entry.svcId(), slot));
                Backend b = id == null ? null : backendMap.get(id);
                targets.add(b == null ? "MISSING" : b.toString());
            }
            targets.sort(Comparator.naturalOrder());
            targets.forEach(t -> out.append(' ').append(t));
            if ((entry.flags() & SvcValue.F_AFFINITY) != 0) {
                out.append(" (affinity ").append(entry.affinityTimeoutSeconds()).append("s)");
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
        return new SvcKey(f.vip(), f.port(), f.protocol(), SvcKey.SCOPE_INTERNAL);
    }

}
