package dev.ferry.agent.translate;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Maglev consistent hashing (Eisenbud et al., NSDI 2016; Katran {@code katran/lib/MaglevHash.cpp}):
 * a lookup table of {@code size} entries, each naming a backend, such that every node computes the
 * same table from the same backends, each backend owns an equal share, and removing one backend
 * moves little more than that backend's own share of flows.
 * <p>
 * The table depends only on the set of names and the size: the names are sorted before filling,
 * and the hash is fixed here (FNV-1a 64 of the UTF-8 name, seeded and finished with MurmurHash3's
 * fmix64), never {@link String#hashCode} or anything seeded per JVM. Changing the hash changes
 * every table, so during a rolling upgrade old and new agents would send a flow to different
 * backends; MaglevTest pins it with a golden value.
 * <p>
 * The size must be prime so that every skip is coprime with it and each backend's permutation
 * visits every entry. Any backend count up to the size fills the whole table with shares differing
 * by at most one; the disruption stays near 1/N only when the size is much larger than the count
 * (the paper and Cilium recommend size &gt; 100 × N). That is not enforced: a Service that
 * outgrows it is still balanced, only with more flows moved on each change.
 */
public final class Maglev {
    /** Cilium's default (maglev.tableSize); about 164 entries per backend for 100 backends. */
    public static final int DEFAULT_SIZE = 16381;
    public static final int MIN_SIZE = 251;
    public static final int MAX_SIZE = 131071;

    private static final long OFFSET_SEED = 0x5f3759dfL;
    private static final long SKIP_SEED = 0x9e3779b97f4a7c15L;

    private Maglev() {
    }

    /**
     * @param backendNames distinct names, such as {@code 10.244.1.10:8080}; their order does not matter
     * @return {@code size} entries, each an index into {@code backendNames}; all -1 when it is empty
     * @throws IllegalArgumentException for a size that {@link #checkSize} rejects, more backends than
     *                                  entries (some could never be picked) or a repeated name
     */
    public static int[] table(List<String> backendNames, int size) {
        checkSize(size);
        int n = backendNames.size();
        if (n > size) {
            throw new IllegalArgumentException(n + " backends do not fit a Maglev table of " + size + " entries");
        }
        int[] table = new int[size];
        Arrays.fill(table, -1);
        if (n == 0) return table;

        // Fill in name order, so the caller's order can not change the result.
        Integer[] byName = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(byName, Comparator.comparing(backendNames::get));
        long[] next = new long[n];  // each backend's next candidate entry in its permutation
        long[] skip = new long[n];
        for (int i = 0; i < n; i++) {
            String name = backendNames.get(byName[i]);
            if (i > 0 && name.equals(backendNames.get(byName[i - 1]))) {
                throw new IllegalArgumentException("backend " + name + " is listed twice");
            }
            byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
            next[i] = Long.remainderUnsigned(hash(bytes, OFFSET_SEED), size);
            skip[i] = Long.remainderUnsigned(hash(bytes, SKIP_SEED), size - 1) + 1;
        }

        // Round-robin: each backend in turn takes the first free entry of its permutation.
        for (int filled = 0; ; ) {
            for (int i = 0; i < n; i++) {
                int entry = (int) next[i];
                while (table[entry] >= 0) entry = (int) ((entry + skip[i]) % size);
                table[entry] = byName[i];
                next[i] = (entry + skip[i]) % size;
                if (++filled == size) return table;
            }
        }
    }

    /** Accepts any prime in [{@value #MIN_SIZE}, {@value #MAX_SIZE}], the range Cilium offers. */
    public static void checkSize(int size) {
        if (size < MIN_SIZE || size > MAX_SIZE || !isPrime(size)) {
            throw new IllegalArgumentException("Maglev table size " + size + " must be a prime between "
                    + MIN_SIZE + " and " + MAX_SIZE + " (for example 251, 1021, 4093, 16381, 65521, 131071)");
        }
    }

    private static boolean isPrime(int n) {
        if (n < 2) return false;
        for (int d = 2; (long) d * d <= n; d++) {
            if (n % d == 0) return false;
        }
        return true;
    }

    /** FNV-1a 64 starting from a seeded basis, then fmix64 so that both seeds give independent bits. */
    static long hash(byte[] bytes, long seed) {
        long h = 0xcbf29ce484222325L ^ seed;
        for (byte b : bytes) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return fmix64(h);
    }

    /** MurmurHash3's 64-bit finalizer. */
    private static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
