package dev.ferry.agent.reconcile;

import java.util.List;

/** What one policy pass wrote and removed, per map, and what it could not. */
public record PolicyApplyResult(int rulesAdded, int rulesRemoved, int ipcacheWritten, int ipcacheRemoved,
                                int endpointsWritten, int endpointsRemoved, List<String> errors) {
    public boolean changedAnything() {
        return rulesAdded + rulesRemoved + ipcacheWritten + ipcacheRemoved + endpointsWritten + endpointsRemoved > 0;
    }

    @Override
    public String toString() {
        return "rules +" + rulesAdded + " -" + rulesRemoved + ", ipcache +" + ipcacheWritten + " -" + ipcacheRemoved
                + ", endpoints +" + endpointsWritten + " -" + endpointsRemoved
                + (errors.isEmpty() ? "" : ", " + errors.size() + " errors");
    }
}
