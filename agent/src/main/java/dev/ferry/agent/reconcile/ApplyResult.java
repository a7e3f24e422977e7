package dev.ferry.agent.reconcile;

import java.util.List;

/** What one reconcile pass changed, and what it could not. */
public record ApplyResult(int frontendsWritten, int frontendsRemoved, int backendsAdded, int backendsRemoved,
                          List<Integer> removedServiceIds, List<String> errors) {
    /** The same result with more errors, e.g. those of the policy maps written in the same pass. */
    public ApplyResult withErrors(List<String> more) {
        if (more.isEmpty()) return this;
        List<String> all = new java.util.ArrayList<>(errors);
        all.addAll(more);
        return new ApplyResult(frontendsWritten, frontendsRemoved, backendsAdded, backendsRemoved, removedServiceIds, all);
    }

    public boolean changedAnything() {
        return frontendsWritten + frontendsRemoved + backendsAdded + backendsRemoved > 0;
    }
}
