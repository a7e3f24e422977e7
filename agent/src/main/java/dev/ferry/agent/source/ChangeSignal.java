package dev.ferry.agent.source;

import java.time.Instant;

/**
 * "Something changed since you last looked": set by event handlers, consumed by one thread.
 * Remembers when the first unconsumed change arrived, for the network programming latency.
 */
final class ChangeSignal {
    private boolean changed;
    private Instant firstChangeAt;

    synchronized void mark() {
        if (!changed) firstChangeAt = Instant.now();
        changed = true;
        notifyAll();
    }

    synchronized void await() throws InterruptedException {
        while (!changed) wait();
    }

    /** @return when the first change since the last clear arrived; now if none did */
    synchronized Instant clear() {
        Instant since = changed ? firstChangeAt : Instant.now();
        changed = false;
        return since;
    }
}
