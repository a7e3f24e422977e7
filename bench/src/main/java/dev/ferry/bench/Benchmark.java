package dev.ferry.bench;

import java.util.List;

/** One section of measurements, run by {@link Bench}. Measures; never asserts. */
public interface Benchmark {
    /** The name on the command line ({@code scripts/bench.sh quick packet}). */
    String name();

    /** Runs every case of this benchmark; cleans up everything it created, also when it fails. */
    List<Result> run(Mode mode) throws Exception;
}
