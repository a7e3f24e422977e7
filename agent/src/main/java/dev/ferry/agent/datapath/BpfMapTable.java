package dev.ferry.agent.datapath;

import dev.ferry.bpf.BpfMap;
import dev.ferry.bpf.Codec;
import dev.ferry.bpf.TypedMap;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A MapTable on a kernel map; batch writes where the kernel has them. */
final class BpfMapTable<K, V> implements MapTable<K, V> {
    private final TypedMap<K, V> map;
    private final int capacity;

    BpfMapTable(BpfMap map, Codec<K> keys, Codec<V> values) {
        this.map = map.typed(keys, values);
        this.capacity = map.maxEntries();
    }

    @Override
    public Optional<V> get(K key) {
        return map.get(key);
    }

    @Override
    public void put(K key, V value) {
        map.put(key, value);
    }

    @Override
    public boolean remove(K key) {
        return map.remove(key);
    }

    @Override
    public Map<K, V> entries() {
        return map.entries();
    }

    @Override
    public Set<K> keys() {
        return map.keys();
    }

    @Override
    public int size() {
        return map.raw().count(); // counted in the kernel's batches, without decoding an entry
    }

    @Override
    public void putAll(Map<K, V> entries) {
        if (!entries.isEmpty()) map.putAll(entries);
    }

    @Override
    public void removeAll(Collection<K> keys) {
        if (!keys.isEmpty()) map.removeAll(keys);
    }

    @Override
    public int capacity() {
        return capacity;
    }
}
