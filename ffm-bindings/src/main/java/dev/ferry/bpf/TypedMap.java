package dev.ferry.bpf;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A {@link BpfMap} seen through a key and a value {@link Codec}. */
public final class TypedMap<K, V> {
    private static final long ALIGNMENT = 8;

    private final BpfMap map;
    private final Codec<K> keys;
    private final Codec<V> values;

    TypedMap(BpfMap map, Codec<K> keys, Codec<V> values) {
        if (map.isPerCpu()) {
            throw new IllegalArgumentException("map " + map.name() + " is per-CPU; a typed view needs one value per key");
        }
        requireSize(map, "key", keys, map.keySize());
        requireSize(map, "value", values, map.valueSize());
        this.map = map;
        this.keys = keys;
        this.values = values;
    }

    public BpfMap raw() {
        return map;
    }

    public Optional<V> get(K key) {
        return map.lookup(encode(keys, key)).map(bytes -> decode(values, bytes));
    }

    public void put(K key, V value) {
        map.update(encode(keys, key), encode(values, value), UpdateFlag.ANY);
    }

    public boolean remove(K key) {
        return map.delete(encode(keys, key));
    }

    /** Every entry, ordered by the unsigned bytes of the encoded key, so dumps compare stably. */
    public Map<K, V> entries() {
        Map<K, V> entries = new LinkedHashMap<>();
        for (MapEntry entry : map.dump()) {
            entries.put(decode(keys, entry.key()), decode(values, entry.value()));
        }
        return entries;
    }

    /** Every key, without reading the values (some maps hold large ones), in dump order. */
    public Set<K> keys() {
        Set<K> out = new LinkedHashSet<>();
        for (byte[] key : map.keys()) out.add(decode(keys, key));
        return out;
    }

    /** Writes every pair in one batch (per element where the map type has no batch update). */
    public void putAll(Map<K, V> entries) {
        List<byte[]> keyBytes = new ArrayList<>(entries.size());
        List<byte[]> valueBytes = new ArrayList<>(entries.size());
        entries.forEach((k, v) -> {
            keyBytes.add(encode(keys, k));
            valueBytes.add(encode(values, v));
        });
        map.updateBatch(keyBytes, valueBytes);
    }

    /** Removes the keys that exist; returns how many did. */
    public int removeAll(Collection<K> toRemove) {
        return map.deleteBatch(toRemove.stream().map(k -> encode(keys, k)).toList());
    }

    // Codecs get 8-byte aligned native memory so they may use aligned layouts (JAVA_INT…);
    // a heap byte[] segment is only byte-aligned.
    private static <T> byte[] encode(Codec<T> codec, T value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(codec.size(), ALIGNMENT);
            codec.encode(value, segment);
            return segment.toArray(JAVA_BYTE);
        }
    }

    private static <T> T decode(Codec<T> codec, byte[] bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(bytes.length, ALIGNMENT);
            MemorySegment.copy(bytes, 0, segment, JAVA_BYTE, 0, bytes.length);
            return codec.decode(segment);
        }
    }

    private static void requireSize(BpfMap map, String what, Codec<?> codec, int expected) {
        if (codec.size() != expected) {
            throw new IllegalArgumentException(what + " codec " + codec.getClass().getSimpleName() + " encodes "
                    + codec.size() + " bytes but map " + map.name() + " has " + what + " size " + expected);
        }
    }
}
