package dev.ferry.agent.k8s;

import dev.ferry.agent.model.Namespace;

import java.util.TreeMap;

/** fabric8 Namespace -> model Namespace: its name and labels. */
public final class NamespaceConverter {
    private NamespaceConverter() {
    }

    public static Namespace convert(io.fabric8.kubernetes.api.model.Namespace namespace) throws InvalidObjectException {
        String name = Fields.name(namespace);
        var labels = new TreeMap<String, String>();
        if (namespace.getMetadata().getLabels() != null) labels.putAll(namespace.getMetadata().getLabels());
        // The API server always sets it; a namespace from a file may lack it, and selectors
        // that pick a namespace by name (as the upstream tests do) rely on it.
        labels.putIfAbsent(Namespace.NAME_LABEL, name);
        return new Namespace(name, labels);
    }
}
