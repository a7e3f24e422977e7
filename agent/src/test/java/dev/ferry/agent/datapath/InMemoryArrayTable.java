package dev.ferry.agent.datapath;

import dev.ferry.bpf.BpfException;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The fake of a kernel array map: every index below the capacity exists, holding {@code empty}
 * until written; an index beyond it is E2BIG and nothing can be deleted (EINVAL), as in the kernel.
 */
public final class InMemoryArrayTable<V> implements MapTable<Integer, V> {
    private final String name;
    private final int capacity;
    private final V empty;
    private final Map<Integer, V> written = new LinkedHashMap<>();
    private final Consumer<String> journal;

    /** @param journal receives "put NAME index" for every write, to check write order */
    public InMemoryArrayTable(String name, int capacity, V empty, Consumer<String> journal) {
        this.name = name;
        this.capacity = capacity;
        this.empty = empty;
        this.journal = journal;
    }

    @Override
    public Optional<V> get(Integer index) {
        return index >= 0 && index < capacity ? Optional.of(written.getOrDefault(index, empty)) : Optional.empty();
    }

    @Override
    public void put(Integer index, V value) {
        if (index < 0 || index >= capacity) {
            throw new BpfException("bpf_map_update_elem", 7 /* E2BIG */, name + " has " + capacity + " entries");
        }
        written.put(index, value);
        journal.accept("put " + name + " " + index);
    }

    @Override
    public boolean remove(Integer index) {
        throw new BpfException("bpf_map_delete_elem", 22 /* EINVAL */, name + " is an array");
    }

    @Override
    public Map<Integer, V> entries() {
        Map<Integer, V> all = new LinkedHashMap<>();
        for (int i = 0; i < capacity; i++) all.put(i, written.getOrDefault(i, empty));
        return all;
    }

    @Override
    public int capacity() {
        return capacity;
    }
}
