package dev.ferry.agent.k8s;

import dev.ferry.agent.model.FrozenList;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * An informer's cache that holds models instead of API objects. fabric8 puts every object it
 * lists or is told about by its watch here ({@code SharedIndexInformer.itemStore}); each is
 * converted at once ({@link Manifests#convertOne}) and only its model, its problems and its
 * resourceVersion stay. A Pod as the API sends it (managedFields, status, containers) weighs
 * kilobytes; what NetworkPolicy needs of it, a few hundred bytes.
 * <p>
 * fabric8 still reads what it stored: the old object's resourceVersion on put (no event when it
 * did not change), every stored object's key on a relist (to drop the ones that vanished) and
 * every object on a resync. It gets a stand-in built on demand from the key and the version:
 * name, namespace and resourceVersion, nothing else.
 * <p>
 * A put with the resourceVersion already held (a relist finding an object unchanged) keeps the
 * converted model, so an unchanged object is the very same model instance in every snapshot,
 * which later stages use to tell "unchanged" by identity. It also keeps its place: the models
 * sit in an array, a new version in its old object's slot, a new object in a new slot at the
 * end, and a removed object's slot taken by the last one. {@link #snapshot} is then a copy of
 * that array (a new list only after a change), and the translator finds what changed by
 * comparing two snapshots place by place, without looking at the thousands that did not.
 * <p>
 * Writes come from the informer's thread, {@link #snapshot} from one reader thread.
 */
public final class ModelStore<T extends HasMetadata> implements ItemStore<T> {
    private record Entry(String resourceVersion, Manifests.Converted converted, int slot) {
    }

    private record Snapshot(long version, Manifests.Parsed parsed) {
    }

    /** A blank object of the informer's kind (Pod::new), for the stand-ins handed back to fabric8. */
    private final Supplier<T> blank;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    /** Slot -> the model there (null for an object without one: invalid, or not ours) and its key. */
    private Object[] models = new Object[16];
    private String[] keys = new String[16];
    private int used;
    /** How many stored objects have problems: a snapshot walks the entries for them only when some do. */
    private int withProblems;
    /** Counts the writes that changed a model; a snapshot taken at the same count is still current. */
    private volatile long version;
    private Snapshot last;

    public ModelStore(Supplier<T> blank) {
        this.blank = blank;
    }

    /**
     * The models of every object held, as a Cluster of this kind alone, and their problems.
     * Repeated calls without a change in between return the very same lists.
     */
    public synchronized Manifests.Parsed snapshot() {
        Snapshot s = last;
        if (s == null || s.version != version) {
            List<String> problems = withProblems == 0 ? List.of()
                    : entries.values().stream().flatMap(e -> e.converted().problems().stream()).toList();
            s = new Snapshot(version, new Manifests.Parsed(Manifests.ofOneKind(present()), problems));
            last = s;
        }
        return s.parsed();
    }

    /** The models in slot order, in one copy of the array ({@link FrozenList}). */
    private List<Object> present() {
        Object[] copy = new Object[used];
        int n = 0;
        for (int i = 0; i < used; i++) {
            if (models[i] != null) copy[n++] = models[i];
        }
        return FrozenList.of(n == used ? copy : Arrays.copyOf(copy, n));
    }

    @Override
    public String getKey(T object) {
        return Cache.metaNamespaceKeyFunc(object);
    }

    @Override
    public synchronized T put(String key, T object) {
        String resourceVersion = object.getMetadata().getResourceVersion();
        Entry old = entries.get(key);
        if (old == null || resourceVersion == null || !resourceVersion.equals(old.resourceVersion())) {
            Manifests.Converted converted = Manifests.convertOne(object);
            int slot = old != null ? old.slot() : newSlot(key);
            if (old != null && !old.converted().problems().isEmpty()) withProblems--;
            if (!converted.problems().isEmpty()) withProblems++;
            entries.put(key, new Entry(resourceVersion, converted, slot));
            models[slot] = converted.model();
            version++;
        }
        return standIn(key, old);
    }

    @Override
    public synchronized T remove(String key) {
        Entry old = entries.remove(key);
        if (old != null) {
            if (!old.converted().problems().isEmpty()) withProblems--;
            int lastSlot = --used;
            if (old.slot() != lastSlot) { // the last one moves into the hole: one more place changes, not all after it
                String moved = keys[lastSlot];
                Entry e = entries.get(moved);
                entries.put(moved, new Entry(e.resourceVersion(), e.converted(), old.slot()));
                models[old.slot()] = models[lastSlot];
                keys[old.slot()] = moved;
            }
            models[lastSlot] = null;
            keys[lastSlot] = null;
            version++;
        }
        return standIn(key, old);
    }

    private int newSlot(String key) {
        if (used == models.length) {
            models = Arrays.copyOf(models, used * 2);
            keys = Arrays.copyOf(keys, used * 2);
        }
        keys[used] = key;
        return used++;
    }

    @Override
    public Stream<String> keySet() {
        return entries.keySet().stream();
    }

    @Override
    public Stream<T> values() {
        return entries.entrySet().stream().map(e -> standIn(e.getKey(), e.getValue()));
    }

    @Override
    public int size() {
        return entries.size();
    }

    @Override
    public T get(String key) {
        return standIn(key, entries.get(key));
    }

    /** The stored objects are stand-ins: whoever reads {@code getStore().list()} gets no spec or status. */
    @Override
    public boolean isFullState() {
        return false;
    }

    /** What fabric8 reads back of a stored object: its key ({@link Cache#namespaceKeyFunc}) and resourceVersion. */
    private T standIn(String key, Entry entry) {
        if (entry == null) return null;
        ObjectMeta meta = new ObjectMeta();
        int slash = key.indexOf('/'); // names can not contain '/'; cluster-scoped keys have none
        meta.setNamespace(slash < 0 ? null : key.substring(0, slash));
        meta.setName(key.substring(slash + 1));
        meta.setResourceVersion(entry.resourceVersion());
        T object = blank.get();
        object.setMetadata(meta);
        return object;
    }
}
