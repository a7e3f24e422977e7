package dev.ferry.agent.model;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** A Namespace as namespaceSelectors see it: its name and labels. */
public record Namespace(String name, SortedMap<String, String> labels) {
    /** Set by the API server on every namespace; selectors use it to pick a namespace by name. */
    public static final String NAME_LABEL = "kubernetes.io/metadata.name";

    public Namespace {
        labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
    }

    /** The labels of a namespace whose object is not known (yet): the one label the API server always sets. */
    public static SortedMap<String, String> defaultLabels(String name) {
        return Collections.unmodifiableSortedMap(new TreeMap<>(Map.of(NAME_LABEL, name)));
    }
}
