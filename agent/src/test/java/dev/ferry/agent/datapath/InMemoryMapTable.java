package dev.ferry.agent.datapath;

import dev.ferry.bpf.BpfException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.function.Consumer;

/** The fake map of unit tests: same contract as a kernel hash map, including "full" (E2BIG). */
public final class InMemoryMapTable<K, V> implements MapTable<K, V> {
    private final String name;
    private final int capacity;
    private final Map<K, V> entries = new LinkedHashMap<>();
    private final Consumer<String> journal;

    /** @param journal receives "put NAME key" / "remove NAME key" for every write, to check write order */
    public InMemoryMapTable(String name, int capacity, Consumer<String> journal) {
        this.name = name;
        this.capacity = capacity;
        this.journal = journal;
    }

    @Override
    public Optional<V> get(K key) {
        return Optional.ofNullable(entries.get(key));
    }

    @Override
    public void put(K key, V value) {
        if (!entries.containsKey(key) && entries.size() >= capacity) {
            throw new BpfException("bpf_map_update_elem", 7 /* E2BIG */, name + " is full (" + capacity + " entries)");
        }
        entries.put(key, value);
        journal.accept("put " + name + " " + key);
    }

    @Override
    public boolean remove(K key) {
        boolean had = entries.remove(key) != null;
        if (had) journal.accept("remove " + name + " " + key);
        return had;
    }

    @Override
    public Map<K, V> entries() {
        return new LinkedHashMap<>(entries);
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public Set<K> keys() {
        return new LinkedHashSet<>(entries.keySet());
    }
}
