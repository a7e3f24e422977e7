package dev.ferry.agent.source;

/** "Something changed since you last looked": set by event handlers, consumed by one thread. */
final class ChangeSignal {
    private boolean changed;

    synchronized void mark() {
        changed = true;
        notifyAll();
    }

    synchronized void await() throws InterruptedException {
        while (!changed) wait();
    }

    synchronized void clear() {
        changed = false;
    }
}
