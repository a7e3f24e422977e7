package dev.ferry.agent.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link Manifests#convert} for a source that converts the same objects again and again (the
 * informer caches on every change): each object's conversion is kept by uid and reused while its
 * resourceVersion stays, so a change converts one object, not the cluster. The result equals a
 * full conversion of the same objects, in the same order, and an unchanged object keeps the very
 * same model instance, which lets later stages tell "unchanged" by identity. Not thread-safe:
 * one source thread owns it.
 */
public final class IncrementalConverter {
    private static final class Kept {
        final String resourceVersion;
        final Manifests.Converted converted;
        long seen;

        Kept(String resourceVersion, Manifests.Converted converted) {
            this.resourceVersion = resourceVersion;
            this.converted = converted;
        }
    }

    private final Map<String, Kept> byUid = new HashMap<>();
    private long generation;

    public Manifests.Parsed convert(List<? extends HasMetadata> objects) {
        long now = ++generation;
        List<Manifests.Converted> parts = new ArrayList<>(objects.size());
        int kept = 0;
        for (HasMetadata object : objects) {
            String uid = object.getMetadata() == null ? null : object.getMetadata().getUid();
            String version = uid == null ? null : object.getMetadata().getResourceVersion();
            if (version == null) { // not from an API server: nothing to recognise it by next time
                parts.add(Manifests.convertOne(object));
                continue;
            }
            Kept k = byUid.get(uid);
            if (k == null || !k.resourceVersion.equals(version)) {
                k = new Kept(version, Manifests.convertOne(object));
                byUid.put(uid, k);
            }
            if (k.seen != now) kept++;
            k.seen = now;
            parts.add(k.converted);
        }
        if (byUid.size() > kept) byUid.values().removeIf(k -> k.seen != now); // deleted objects
        return Manifests.gather(parts);
    }
}
