package dev.ferry.agent.source;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reports each invalid object once while it stays invalid, not on every resync, and knows how
 * many are invalid right now (for the metrics).
 */
final class ProblemLog {
    private static final System.Logger LOG = System.getLogger(ProblemLog.class.getName());

    private final Set<String> current = new HashSet<>();

    synchronized void report(List<String> problems) {
        for (String problem : problems) {
            if (!current.contains(problem)) LOG.log(System.Logger.Level.ERROR, "skipping {0}", problem);
        }
        current.clear();
        current.addAll(problems);
    }

    synchronized int invalidObjects() {
        return current.size();
    }
}
