package dev.ferry.agent.datapath;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * A table whose entries need an address in an {@link AddressFilter}: services_v2 (external
 * frontends' addresses in XDP's, every frontend's in the pod veth programs'), nodeport_ifs_v1
 * (SNAT addresses, XDP's) and backends_v2 (backends' addresses, the pod veth programs'). An
 * entry's address is acquired before the entry is written and released after it is gone, so no
 * program skips a packet an entry is there for. Entries already in the table when it is wrapped
 * (a restarted agent's pinned maps) are held from the start.
 */
final class FilteredAddressTable<K, V> implements MapTable<K, V> {
    private final MapTable<K, V> table;
    private final AddressFilter filter;
    /** The address an entry needs, or null for none (in XDP's, a frontend of internal scope). */
    private final BiFunction<K, V, Inet4Address> addressOf;
    private final Map<K, Inet4Address> holding = new HashMap<>();

    FilteredAddressTable(MapTable<K, V> table, AddressFilter filter, BiFunction<K, V, Inet4Address> addressOf) {
        this.table = table;
        this.filter = filter;
        this.addressOf = addressOf;
        filter.acquire(hold(table.entries()));
    }

    @Override
    public Optional<V> get(K key) {
        return table.get(key);
    }

    @Override
    public synchronized void put(K key, V value) {
        putAll(Map.of(key, value));
    }

    /**
     * The new entries' addresses are acquired first, the addresses of entries they replace
     * released last. If the write fails (a full map), both stay held: a bit too many only costs
     * the programs their lookups, a bit too few would skip packets an entry is there for.
     */
    @Override
    public synchronized void putAll(Map<K, V> entries) {
        List<Inet4Address> replaced = new ArrayList<>();
        for (K key : entries.keySet()) {
            Inet4Address was = holding.remove(key);
            if (was != null) replaced.add(was);
        }
        filter.acquire(hold(entries));
        table.putAll(entries);
        filter.release(replaced);
    }

    @Override
    public synchronized boolean remove(K key) {
        boolean removed = table.remove(key);
        release(List.of(key));
        return removed;
    }

    @Override
    public synchronized void removeAll(Collection<K> keys) {
        table.removeAll(keys);
        release(keys);
    }

    @Override
    public Map<K, V> entries() {
        return table.entries();
    }

    @Override
    public Set<K> keys() {
        return table.keys();
    }

    @Override
    public int size() {
        return table.size();
    }

    @Override
    public int capacity() {
        return table.capacity();
    }

    /** Records the addresses these entries need; returns them, for the caller to acquire. */
    private List<Inet4Address> hold(Map<K, V> entries) {
        List<Inet4Address> needed = new ArrayList<>();
        entries.forEach((key, value) -> {
            Inet4Address address = addressOf.apply(key, value);
            if (address == null) return;
            holding.put(key, address);
            needed.add(address);
        });
        return needed;
    }

    private void release(Collection<K> keys) {
        List<Inet4Address> released = new ArrayList<>();
        for (K key : keys) {
            Inet4Address address = holding.remove(key);
            if (address != null) released.add(address);
        }
        filter.release(released);
    }
}
