package dev.ferry.agent.reconcile;

import java.util.List;

/** What one reconcile pass changed, and what it could not. */
public record ApplyResult(int frontendsWritten, int frontendsRemoved, int backendsAdded, int backendsRemoved,
                          List<Integer> removedServiceIds, List<String> errors) {
    public boolean changedAnything() {
        return frontendsWritten + frontendsRemoved + backendsAdded + backendsRemoved > 0;
    }
}
