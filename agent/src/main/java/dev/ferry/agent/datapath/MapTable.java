package dev.ferry.agent.datapath;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A typed BPF map as the agent sees it. Production tables sit on pinned kernel maps; unit tests
 * use an in-memory table with the same contract, so the writing code is the same in both.
 */
public interface MapTable<K, V> {
    Optional<V> get(K key);

    /** @throws dev.ferry.bpf.BpfException (E2BIG when the map is full) */
    void put(K key, V value);

    boolean remove(K key);

    Map<K, V> entries();

    /** The keys alone, for tables whose values are large. */
    default Set<K> keys() {
        return entries().keySet();
    }

    /** How many entries the table holds, without decoding them. */
    default int size() {
        return keys().size();
    }

    default void putAll(Map<K, V> entries) {
        entries.forEach(this::put);
    }

    default void removeAll(Collection<K> keys) {
        keys.forEach(this::remove);
    }

    int capacity();
}
