package dev.ferry.agent.translate;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

/**
 * An immutable map whose next version costs the entries that change, not the size. The entries
 * live in a fixed number of small shards; a new version shares every shard it did not touch with
 * the version it was made from, and two versions are compared shard by shard, skipping shared
 * shards by identity. The desired state keeps its Services in one, so that with 10,000 Services
 * neither the translator's pass nor the reconciler's comparison walks all of them for one
 * endpoint change.
 * <p>
 * Values are compared by identity ({@link #changesSince}), as everything downstream of the
 * translator tells an unchanged part by its instance.
 */
public final class ShardedMap<K, V> extends AbstractMap<K, V> {
    /** A power of two; ~10 entries a shard at 10,000 Services, a copy of 4 KiB for a new version. */
    private static final int SHARDS = 1024;
    private static final ShardedMap<?, ?> EMPTY = new ShardedMap<>(emptyShards(), 0);

    private final Map<K, V>[] shards;
    private final int size;
    private Set<Entry<K, V>> entrySet;

    private ShardedMap(Map<K, V>[] shards, int size) {
        this.shards = shards;
        this.size = size;
    }

    @SuppressWarnings("unchecked")
    public static <K, V> ShardedMap<K, V> empty() {
        return (ShardedMap<K, V>) EMPTY;
    }

    /** The same entries as {@code map}; the map itself when it already is one. */
    public static <K, V> ShardedMap<K, V> copyOf(Map<K, V> map) {
        if (map instanceof ShardedMap<K, V> sharded) return sharded;
        Editor<K, V> editor = ShardedMap.<K, V>empty().edit();
        map.forEach(editor::put);
        return editor.done();
    }

    /** Starts the next version; this one stays as it is. */
    public Editor<K, V> edit() {
        return new Editor<>(this);
    }

    /** What one key's value became: null before for an added key, null after for a removed one. */
    @FunctionalInterface
    public interface Change<K, V> {
        void changed(K key, V before, V after);
    }

    /**
     * Reports every key whose value here is another instance than in {@code before}. Against an
     * earlier version of this map (any ShardedMap) it costs the shards that differ; against any
     * other map, both maps whole.
     */
    public void changesSince(Map<K, V> before, Change<K, V> change) {
        if (before instanceof ShardedMap<K, V> earlier) {
            for (int i = 0; i < SHARDS; i++) {
                if (shards[i] != earlier.shards[i]) compare(earlier.shards[i], shards[i], change);
            }
        } else {
            compare(before, this, change);
        }
    }

    private static <K, V> void compare(Map<K, V> before, Map<K, V> after, Change<K, V> change) {
        after.forEach((k, v) -> {
            V old = before.get(k);
            if (old != v) change.changed(k, old, v);
        });
        before.forEach((k, v) -> {
            if (!after.containsKey(k)) change.changed(k, v, null);
        });
    }

    @Override
    public V get(Object key) {
        return shards[shardOf(key)].get(key);
    }

    @Override
    public boolean containsKey(Object key) {
        return shards[shardOf(key)].containsKey(key);
    }

    @Override
    public int size() {
        return size;
    }

    /** In shard order: no order callers may rely on. */
    @Override
    public Set<Entry<K, V>> entrySet() {
        Set<Entry<K, V>> set = entrySet;
        if (set == null) {
            entrySet = set = new AbstractSet<>() {
                @Override
                public Iterator<Entry<K, V>> iterator() {
                    return new Entries();
                }

                @Override
                public int size() {
                    return size;
                }
            };
        }
        return set;
    }

    private final class Entries implements Iterator<Entry<K, V>> {
        private int shard = -1;
        private Iterator<Entry<K, V>> current = java.util.Collections.emptyIterator();

        @Override
        public boolean hasNext() {
            while (!current.hasNext()) {
                if (++shard == SHARDS) return false;
                current = shards[shard].entrySet().iterator();
            }
            return true;
        }

        @Override
        public Entry<K, V> next() {
            if (!hasNext()) throw new NoSuchElementException();
            Entry<K, V> e = current.next();
            return Map.entry(e.getKey(), e.getValue()); // immutable, whatever the shard's entries allow
        }
    }

    private static int shardOf(Object key) {
        int h = Objects.hashCode(key);
        return (h ^ (h >>> 16)) & (SHARDS - 1);
    }

    @SuppressWarnings("unchecked")
    private static <K, V> Map<K, V>[] emptyShards() {
        Map<K, V>[] shards = new Map[SHARDS];
        Arrays.fill(shards, Map.of());
        return shards;
    }

    /**
     * Builds the next version: a shard is copied the first time it is written, the others are
     * shared. {@link #done} hands the version out; the editor is finished then.
     */
    public static final class Editor<K, V> {
        private Map<K, V>[] shards;
        private final boolean[] copied = new boolean[SHARDS];
        private int size;

        private Editor(ShardedMap<K, V> from) {
            this.shards = from.shards.clone();
            this.size = from.size;
        }

        public Editor<K, V> put(K key, V value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            if (writable(shardOf(key)).put(key, value) == null) size++;
            return this;
        }

        /** The value in the version being built. */
        public V get(K key) {
            if (shards == null) throw new IllegalStateException("this editor's version was handed out already");
            return shards[shardOf(key)].get(key);
        }

        public Editor<K, V> remove(K key) {
            int shard = shardOf(key);
            if (shards[shard].containsKey(key) && writable(shard).remove(key) != null) size--;
            return this;
        }

        public ShardedMap<K, V> done() {
            if (shards == null) throw new IllegalStateException("this editor's version was handed out already");
            ShardedMap<K, V> map = new ShardedMap<>(shards, size);
            shards = null;
            return map;
        }

        private Map<K, V> writable(int shard) {
            if (shards == null) throw new IllegalStateException("this editor's version was handed out already");
            if (!copied[shard]) {
                shards[shard] = new HashMap<>(shards[shard]);
                copied[shard] = true;
            }
            return shards[shard];
        }
    }
}
