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
 * A table whose entries need an address in XDP's {@link FrontendAddressFilter}: services_v2
 * (external frontends' addresses) and nodeport_ifs_v1 (SNAT addresses). An entry's address is
 * acquired before the entry is written and released after it is gone, so XDP never passes a
 * frame an entry is there to translate. Entries already in the table when it is wrapped (a
 * restarted agent's pinned maps) are held from the start.
 */
final class FilteredAddressTable<K, V> implements MapTable<K, V> {
    private final MapTable<K, V> table;
    private final FrontendAddressFilter filter;
    /** The address an entry needs, or null for none (a frontend of internal scope). */
    private final BiFunction<K, V, Inet4Address> addressOf;
    private final Map<K, Inet4Address> holding = new HashMap<>();

    FilteredAddressTable(MapTable<K, V> table, FrontendAddressFilter filter, BiFunction<K, V, Inet4Address> addressOf) {
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
     * XDP its lookups, a bit too few would pass frames an entry is there to translate.
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
