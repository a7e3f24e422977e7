package dev.ferry.agent.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;

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
 * which later stages use to tell "unchanged" by identity. {@link #snapshot} gathers the models
 * in one list per kind and hands out the same lists again while nothing changed.
 * <p>
 * Writes come from the informer's thread, {@link #snapshot} from one reader thread.
 */
public final class ModelStore<T extends HasMetadata> implements ItemStore<T> {
    private record Entry(String resourceVersion, Manifests.Converted converted) {
    }

    private record Snapshot(long version, Manifests.Parsed parsed) {
    }

    /** A blank object of the informer's kind (Pod::new), for the stand-ins handed back to fabric8. */
    private final Supplier<T> blank;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
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
    public Manifests.Parsed snapshot() {
        long at = version; // read first: a write during the walk makes the next call walk again
        Snapshot s = last;
        if (s == null || s.version != at) {
            s = new Snapshot(at, Manifests.gather(entries.values().stream().map(Entry::converted).toList()));
            last = s;
        }
        return s.parsed();
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
            entries.put(key, new Entry(resourceVersion, Manifests.convertOne(object)));
            version++;
        }
        return standIn(key, old);
    }

    @Override
    public synchronized T remove(String key) {
        Entry old = entries.remove(key);
        if (old != null) version++;
        return standIn(key, old);
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
