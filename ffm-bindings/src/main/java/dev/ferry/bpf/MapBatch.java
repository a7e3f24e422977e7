package dev.ferry.bpf;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import me.bechberger.ebpf.bpf.raw.Lib;
import me.bechberger.ebpf.bpf.raw.bpf_map_batch_opts;

/**
 * The BPF_MAP_*_BATCH commands, each with a per-element fallback for map types (or kernels) that
 * answer EINVAL/EOPNOTSUPP/ENOTSUPP: the reconciler writes through one code path whatever the map.
 */
final class MapBatch {
    private static final int FIRST_CHUNK = 256;
    /** Counting keeps no entries: one large buffer, ~25 syscalls for 100,000 entries instead of 400. */
    private static final int COUNT_CHUNK = 4096;
    /** The most one chunk's keys and values may take. */
    private static final long BUFFER_BYTES = 1 << 20;
    private static final Comparator<byte[]> UNSIGNED_BYTES = Arrays::compareUnsigned;

    private MapBatch() {
    }

    static void update(BpfMap map, List<byte[]> keys, List<byte[]> values, UpdateFlag flag) {
        if (keys.size() != values.size()) {
            throw new IllegalArgumentException(keys.size() + " keys but " + values.size() + " values");
        }
        try (Arena arena = Arena.ofConfined()) {
            update(map, pack(arena, map, "key", keys, map.keySize()), pack(arena, map, "value", values, map.valueSize()),
                    keys.size(), flag);
        }
    }

    /** {@code count} entries packed as the kernel takes them: keys back to back, values back to back. */
    static void update(BpfMap map, MemorySegment keyBlock, MemorySegment valueBlock, int count, UpdateFlag flag) {
        if (count == 0) {
            return;
        }
        if (keyBlock.byteSize() != (long) count * map.keySize() || valueBlock.byteSize() != (long) count * map.valueSize()) {
            throw new IllegalArgumentException(count + " entries do not fill " + keyBlock.byteSize() + " key bytes and "
                    + valueBlock.byteSize() + " value bytes of map " + map.name());
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment done = arena.allocateFrom(JAVA_INT, count);
            int result = Lib.bpf_map_update_batch(map.fd(), keyBlock, valueBlock, done, options(arena, flag.bits));
            if (result < 0 && Errno.isUnsupported(-result)) {
                for (int i = 0; i < count; i++) {
                    map.update(keyBlock.asSlice((long) i * map.keySize(), map.keySize()).toArray(JAVA_BYTE),
                            valueBlock.asSlice((long) i * map.valueSize(), map.valueSize()).toArray(JAVA_BYTE), flag);
                }
                return;
            }
            BpfException.check("bpf_map_update_batch", result);
        }
    }

    static int delete(BpfMap map, List<byte[]> keys) {
        if (keys.isEmpty()) {
            return 0;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment keyBlock = pack(arena, map, "key", keys, map.keySize());
            MemorySegment opts = options(arena, 0);
            MemorySegment count = arena.allocate(JAVA_INT);
            int deleted = 0;
            int next = 0;
            while (next < keys.size()) {
                count.set(JAVA_INT, 0, keys.size() - next);
                int result = Lib.bpf_map_delete_batch(map.fd(),
                        keyBlock.asSlice((long) next * map.keySize()), count, opts);
                int done = count.get(JAVA_INT, 0);
                if (result == 0) {
                    return deleted + done;
                }
                if (result == -Errno.ENOENT) {
                    // The kernel stops at the first missing key; it deleted `done` before it.
                    deleted += done;
                    next += done + 1;
                } else if (Errno.isUnsupported(-result) && next == 0) {
                    // e.g. arrays: no delete batch op (ENOTSUPP); count is left untouched then.
                    return deleteOneByOne(map, keys);
                } else {
                    throw new BpfException("bpf_map_delete_batch", -result);
                }
            }
            return deleted;
        }
    }

    static List<MapEntry> dump(BpfMap map) {
        List<MapEntry> entries = new ArrayList<>();
        if (!walk(map, FIRST_CHUNK, (keys, values, count) -> collect(map, keys, values, count, entries))) {
            return dumpOneByOne(map);
        }
        entries.sort(Comparator.comparing(MapEntry::key, UNSIGNED_BYTES));
        return entries;
    }

    /** How many entries the map holds, read in large chunks and not decoded: cheap enough for metrics. */
    static int count(BpfMap map) {
        int[] total = {0};
        return walk(map, COUNT_CHUNK, (keys, values, count) -> total[0] += count) ? total[0] : map.keys().size();
    }

    /** What one BPF_MAP_LOOKUP_BATCH call returned: {@code count} keys and values, packed. */
    private interface Chunk {
        void accept(MemorySegment keys, MemorySegment values, int count);
    }

    /** Every entry in chunks by BPF_MAP_LOOKUP_BATCH; false (nothing read) when the map type has no batch lookup. */
    private static boolean walk(BpfMap map, int firstChunk, Chunk chunks) {
        // Bounded in bytes too: a Maglev table is 64 KiB a value, and the buffer is zeroed when allocated.
        long entryBytes = (long) map.keySize() + map.storedValueSize();
        int chunk = (int) Math.max(1, Math.min(Math.min(map.maxEntries(), firstChunk), BUFFER_BYTES / entryBytes));
        try (Arena arena = Arena.ofConfined()) {
            // The resume token is a bucket index for hashes and a key for arrays.
            int tokenSize = Math.max(map.keySize(), 8);
            MemorySegment inToken = arena.allocate(tokenSize);
            MemorySegment outToken = arena.allocate(tokenSize);
            MemorySegment count = arena.allocate(JAVA_INT);
            MemorySegment opts = options(arena, 0);
            MemorySegment keys = arena.allocate((long) chunk * map.keySize());
            MemorySegment values = arena.allocate((long) chunk * map.storedValueSize());
            boolean first = true;
            while (true) {
                count.set(JAVA_INT, 0, chunk);
                int result = Lib.bpf_map_lookup_batch(map.fd(), first ? MemorySegment.NULL : inToken,
                        outToken, keys, values, count, opts);
                if (result < 0 && result != -Errno.ENOENT) {
                    if (result == -Errno.ENOSPC) {
                        chunk *= 2; // one hash bucket holds more entries than fit
                        keys = arena.allocate((long) chunk * map.keySize());
                        values = arena.allocate((long) chunk * map.storedValueSize());
                        continue;
                    }
                    if (first && Errno.isUnsupported(-result)) {
                        return false;
                    }
                    throw new BpfException("bpf_map_lookup_batch", -result);
                }
                chunks.accept(keys, values, count.get(JAVA_INT, 0));
                if (result == -Errno.ENOENT) {
                    return true;
                }
                inToken.copyFrom(outToken);
                first = false;
            }
        }
    }

    private static void collect(BpfMap map, MemorySegment keys, MemorySegment values, int count,
            List<MapEntry> into) {
        int valueSize = map.storedValueSize();
        for (int i = 0; i < count; i++) {
            into.add(new MapEntry(
                    keys.asSlice((long) i * map.keySize(), map.keySize()).toArray(JAVA_BYTE),
                    values.asSlice((long) i * valueSize, valueSize).toArray(JAVA_BYTE)));
        }
    }

    private static List<MapEntry> dumpOneByOne(BpfMap map) {
        List<MapEntry> entries = new ArrayList<>();
        for (byte[] key : map.keys()) {
            map.lookupStored(key).ifPresent(value -> entries.add(new MapEntry(key, value)));
        }
        entries.sort(Comparator.comparing(MapEntry::key, UNSIGNED_BYTES));
        return entries;
    }

    private static int deleteOneByOne(BpfMap map, List<byte[]> keys) {
        int deleted = 0;
        for (byte[] key : keys) {
            if (map.delete(key)) {
                deleted++;
            }
        }
        return deleted;
    }

    private static MemorySegment pack(Arena arena, BpfMap map, String what, List<byte[]> items, int size) {
        MemorySegment block = arena.allocate((long) items.size() * size);
        for (int i = 0; i < items.size(); i++) {
            map.checkLength(what, items.get(i), size);
            MemorySegment.copy(items.get(i), 0, block, JAVA_BYTE, (long) i * size, size);
        }
        return block;
    }

    private static MemorySegment options(Arena arena, long elemFlags) {
        MemorySegment opts = arena.allocate(bpf_map_batch_opts.layout());
        bpf_map_batch_opts.sz(opts, bpf_map_batch_opts.sizeof());
        bpf_map_batch_opts.elem_flags(opts, elemFlags);
        return opts;
    }
}
