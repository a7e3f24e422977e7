package dev.ferry.bench;

/**
 * How much a run measures. QUICK answers "did this change move anything" in under five minutes
 * on 2 cores; FULL is what docs/benchmarks.md publishes (every scale, longer trials).
 */
public enum Mode {
    QUICK, FULL;

    public boolean full() {
        return this == FULL;
    }
}
