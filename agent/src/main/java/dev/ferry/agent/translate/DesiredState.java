package dev.ferry.agent.translate;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/** The complete, immutable service state the maps should hold; translators build it, the reconciler applies it. */
public record DesiredState(SortedMap<Frontend, FrontendTarget> frontends) {
    public DesiredState {
        frontends = Collections.unmodifiableSortedMap(new TreeMap<>(frontends));
    }

    public static DesiredState empty() {
        return new DesiredState(new TreeMap<>());
    }
}
