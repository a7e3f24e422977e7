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
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = scratch(arena, keys), value = scratch(arena, values);
            for (MapEntry entry : map.dump()) {
                entries.put(decode(keys, entry.key(), key), decode(values, entry.value(), value));
            }
        }
        return entries;
    }

    /** Every key, without reading the values (some maps hold large ones), in dump order. */
    public Set<K> keys() {
        Set<K> out = new LinkedHashSet<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment scratch = scratch(arena, keys);
            for (byte[] key : map.keys()) out.add(decode(keys, key, scratch));
        }
        return out;
    }

    /**
     * Writes every pair in one batch (per element where the map type has no batch update),
     * encoded straight into the block the kernel reads: a full sync writes hundreds of thousands,
     * and a byte[] per key and value cost more than the encoding.
     */
    public void putAll(Map<K, V> entries) {
        int count = entries.size();
        try (Arena arena = Arena.ofConfined()) {
            // Zeroed when allocated: padding a codec does not write stays 0.
            MemorySegment keyBlock = arena.allocate((long) count * keys.size(), ALIGNMENT);
            MemorySegment valueBlock = arena.allocate((long) count * values.size(), ALIGNMENT);
            MemorySegment key = scratch(arena, keys), value = scratch(arena, values);
            long i = 0;
            for (Map.Entry<K, V> e : entries.entrySet()) {
                encodeInto(keys, e.getKey(), key, keyBlock, i * keys.size());
                encodeInto(values, e.getValue(), value, valueBlock, i * values.size());
                i++;
            }
            map.updateBatch(keyBlock, valueBlock, count, UpdateFlag.ANY);
        }
    }

    /** Removes the keys that exist; returns how many did. */
    public int removeAll(Collection<K> toRemove) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment scratch = scratch(arena, keys);
            return map.deleteBatch(toRemove.stream().map(k -> encode(keys, k, scratch)).toList());
        }
    }

    // Codecs get 8-byte aligned native memory so they may use aligned layouts (JAVA_INT…);
    // a heap byte[] segment is only byte-aligned. Batches reuse one scratch segment per codec:
    // an arena per entry cost more than the encoding itself (hundreds of thousands at a full sync).
    private static MemorySegment scratch(Arena arena, Codec<?> codec) {
        return arena.allocate(codec.size(), ALIGNMENT);
    }

    /** Zeroed first: a codec need not write padding, and a key's padding is part of the key. */
    private static <T> byte[] encode(Codec<T> codec, T value, MemorySegment scratch) {
        scratch.fill((byte) 0);
        codec.encode(value, scratch);
        return scratch.toArray(JAVA_BYTE);
    }

    /** Through the aligned scratch segment: an entry's place in a packed block need not be aligned. */
    private static <T> void encodeInto(Codec<T> codec, T value, MemorySegment scratch, MemorySegment block, long offset) {
        scratch.fill((byte) 0);
        codec.encode(value, scratch);
        MemorySegment.copy(scratch, 0, block, offset, codec.size());
    }

    private static <T> byte[] encode(Codec<T> codec, T value) {
        try (Arena arena = Arena.ofConfined()) {
            return encode(codec, value, scratch(arena, codec));
        }
    }

    private static <T> T decode(Codec<T> codec, byte[] bytes, MemorySegment scratch) {
        MemorySegment.copy(bytes, 0, scratch, JAVA_BYTE, 0, bytes.length);
        return codec.decode(scratch);
    }

    private static <T> T decode(Codec<T> codec, byte[] bytes) {
        try (Arena arena = Arena.ofConfined()) {
            return decode(codec, bytes, scratch(arena, codec));
        }
    }

    private static void requireSize(BpfMap map, String what, Codec<?> codec, int expected) {
        if (codec.size() != expected) {
            throw new IllegalArgumentException(what + " codec " + codec.getClass().getSimpleName() + " encodes "
                    + codec.size() + " bytes but map " + map.name() + " has " + what + " size " + expected);
        }
    }
}
