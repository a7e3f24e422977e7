package dev.ferry.bpf;

import dev.ferry.sys.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import me.bechberger.ebpf.bpf.raw.Lib;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * A BPF map addressed by fd, with raw byte-array operations. Each call allocates its own native
 * memory, so one writer thread and any number of readers may share an instance.
 *
 * <p>Maps obtained from a {@link BpfObject} belong to it; maps from {@link #openPinned(Path)} own
 * their fd and must be closed.
 */
public final class BpfMap implements AutoCloseable {
    // BPF_MAP_TYPE_* values whose lookups return one value per possible CPU.
    private static final List<Integer> PER_CPU_TYPES = List.of(5, 6, 10, 21);

    private final int fd;
    private final MapInfo info;
    private final boolean ownsFd;
    private final AtomicBoolean closed = new AtomicBoolean();

    private BpfMap(int fd, boolean ownsFd) {
        this.fd = fd;
        this.ownsFd = ownsFd;
        this.info = MapInfo.of(fd);
    }

    /** A map of a loaded object; the object closes the fd. */
    static BpfMap borrowed(int fd) {
        return new BpfMap(fd, false);
    }

    /** Opens a map pinned on bpffs, e.g. /sys/fs/bpf/ferry/services_v2. */
    public static BpfMap openPinned(Path pin) {
        LibBpf.ensureLoaded();
        try (Arena arena = Arena.ofConfined()) {
            int fd = BpfException.check("bpf_obj_get", Lib.bpf_obj_get(arena.allocateFrom(pin.toString())));
            try {
                return new BpfMap(fd, true);
            } catch (RuntimeException e) {
                Libc.close(fd);
                throw e;
            }
        }
    }

    public String name() {
        return info.name();
    }

    public int fd() {
        return fd;
    }

    /** BPF_MAP_TYPE_* as defined in linux/bpf.h (1 hash, 2 array, 6 per-CPU array, 9 LRU hash…). */
    public int type() {
        return info.type();
    }

    /** The kernel's map id, stable for the map's lifetime (what bpftool shows). */
    public int id() {
        return info.id();
    }

    public int keySize() {
        return info.keySize();
    }

    public int valueSize() {
        return info.valueSize();
    }

    public int maxEntries() {
        return info.maxEntries();
    }

    public boolean isPerCpu() {
        return PER_CPU_TYPES.contains(info.type());
    }

    /** Pins this map at {@code path} on bpffs so it outlives this process. */
    public void pin(Path path) {
        try (Arena arena = Arena.ofConfined()) {
            BpfException.check("bpf_obj_pin", Lib.bpf_obj_pin(fd, arena.allocateFrom(path.toString())));
        }
    }

    public Optional<byte[]> lookup(byte[] key) {
        requireNotPerCpu("lookup");
        return lookupStored(key);
    }

    /**
     * Looks {@code key} up into {@code value} ({@link #valueSize()} bytes), both native segments of
     * the caller's: nothing is allocated, for a reader that polls.
     * @return false when the key is missing
     */
    public boolean lookupInto(MemorySegment key, MemorySegment value) {
        requireNotPerCpu("lookupInto");
        return lookupElem(key, value);
    }

    /** BPF_MAP_LOOKUP_ELEM into {@code value} ({@link #storedValueSize()} bytes); false when the key is missing. */
    private boolean lookupElem(MemorySegment key, MemorySegment value) {
        int result = Lib.bpf_map_lookup_elem(fd, key, value);
        if (result == -Errno.ENOENT) {
            return false;
        }
        BpfException.check("bpf_map_lookup_elem", result);
        return true;
    }

    /** One value per possible CPU, each {@link #valueSize()} bytes long; empty when the key is missing. */
    public List<byte[]> lookupPerCpu(byte[] key) {
        if (!isPerCpu()) {
            throw new IllegalStateException("map " + name() + " is not per-CPU; use lookup");
        }
        return lookupStored(key).map(this::splitPerCpu).orElse(List.of());
    }

    /** The bytes the kernel stores for {@code key}: {@link #storedValueSize()} long. */
    Optional<byte[]> lookupStored(byte[] key) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(storedValueSize());
            return lookupElem(keySegment(arena, key), value) ? Optional.of(value.toArray(JAVA_BYTE)) : Optional.empty();
        }
    }

    public void update(byte[] key, byte[] value, UpdateFlag flag) {
        requireNotPerCpu("update");
        checkLength("value", value, valueSize());
        try (Arena arena = Arena.ofConfined()) {
            BpfException.check("bpf_map_update_elem", Lib.bpf_map_update_elem(
                    fd, keySegment(arena, key), arena.allocateFrom(JAVA_BYTE, value),
                    flag.bits));
        }
    }

    /** Writes one value per possible CPU, each {@link #valueSize()} bytes long, in CPU order. */
    public void updatePerCpu(byte[] key, List<byte[]> values, UpdateFlag flag) {
        if (!isPerCpu()) {
            throw new IllegalStateException("map " + name() + " is not per-CPU; use update");
        }
        if (values.size() != PossibleCpus.count()) {
            throw new IllegalArgumentException("map " + name() + " needs " + PossibleCpus.count() + " values, one per possible CPU, got "
                    + values.size());
        }
        int slot = PossibleCpus.slotSize(valueSize());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment stored = arena.allocate(storedValueSize()); // zeroed: the slots' padding stays 0
            for (int cpu = 0; cpu < values.size(); cpu++) {
                checkLength("value", values.get(cpu), valueSize());
                MemorySegment.copy(MemorySegment.ofArray(values.get(cpu)), 0, stored, (long) cpu * slot, valueSize());
            }
            BpfException.check("bpf_map_update_elem", Lib.bpf_map_update_elem(fd, keySegment(arena, key), stored, flag.bits));
        }
    }

    /** A per-CPU value as {@link #dump()} holds it, one value per possible CPU. */
    public List<byte[]> perCpuValues(MapEntry entry) {
        if (!isPerCpu()) {
            throw new IllegalStateException("map " + name() + " is not per-CPU");
        }
        return splitPerCpu(entry.value());
    }

    /** Removes {@code key}; false when it was not there. */
    public boolean delete(byte[] key) {
        try (Arena arena = Arena.ofConfined()) {
            int result = Lib.bpf_map_delete_elem(fd, keySegment(arena, key));
            if (result == -Errno.ENOENT) {
                return false;
            }
            BpfException.check("bpf_map_delete_elem", result);
            return true;
        }
    }

    /** Every key, by BPF_MAP_GET_NEXT_KEY; concurrent deletes may restart a hash walk (kernel rule). */
    public List<byte[]> keys() {
        List<byte[]> keys = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment current = MemorySegment.NULL;
            MemorySegment next = arena.allocate(keySize());
            while (true) {
                int result = Lib.bpf_map_get_next_key(fd, current, next);
                if (result == -Errno.ENOENT) {
                    return keys;
                }
                BpfException.check("bpf_map_get_next_key", result);
                keys.add(next.toArray(JAVA_BYTE));
                if (current.equals(MemorySegment.NULL)) {
                    current = arena.allocate(keySize());
                }
                current.copyFrom(next);
            }
        }
    }

    /**
     * How many entries the map holds (every slot of an array), by BPF_MAP_LOOKUP_BATCH in large
     * chunks where the map type has it, else by walking its keys.
     */
    public int count() {
        return MapBatch.count(this);
    }

    /** Writes all pairs with BPF_MAP_UPDATE_BATCH, or one by one where the map type has no batch op. */
    public void updateBatch(List<byte[]> keys, List<byte[]> values) {
        updateBatch(keys, values, UpdateFlag.ANY);
    }

    public void updateBatch(List<byte[]> keys, List<byte[]> values, UpdateFlag flag) {
        requireNotPerCpu("updateBatch");
        MapBatch.update(this, keys, values, flag);
    }

    /** {@code count} entries already packed: keySize-byte keys back to back, and valueSize-byte values. */
    public void updateBatch(MemorySegment keys, MemorySegment values, int count, UpdateFlag flag) {
        requireNotPerCpu("updateBatch");
        MapBatch.update(this, keys, values, count, flag);
    }

    /** Deletes the keys that exist (missing ones are skipped); returns how many were deleted. */
    public int deleteBatch(List<byte[]> keys) {
        return MapBatch.delete(this, keys);
    }

    /**
     * Every entry, by BPF_MAP_LOOKUP_BATCH where the map type has it, sorted by unsigned key bytes
     * so dumps are stable. Per-CPU values are the concatenated, 8-byte aligned per-CPU slots.
     */
    public List<MapEntry> dump() {
        return MapBatch.dump(this);
    }

    /** A typed view; the codecs must match this map's key and value sizes exactly. */
    public <K, V> TypedMap<K, V> typed(Codec<K> keyCodec, Codec<V> valueCodec) {
        return new TypedMap<>(this, keyCodec, valueCodec);
    }

    /** Bytes one lookup writes: the value, or for per-CPU maps an 8-aligned slot per possible CPU. */
    int storedValueSize() {
        return isPerCpu() ? PossibleCpus.count() * PossibleCpus.slotSize(valueSize()) : valueSize();
    }

    MemorySegment keySegment(Arena arena, byte[] key) {
        checkLength("key", key, keySize());
        return arena.allocateFrom(JAVA_BYTE, key);
    }

    void checkLength(String what, byte[] bytes, int expected) {
        if (bytes.length != expected) {
            throw new IllegalArgumentException(what + " for map " + name() + " must be " + expected
                    + " bytes, got " + bytes.length);
        }
    }

    private List<byte[]> splitPerCpu(byte[] stored) {
        MemorySegment values = MemorySegment.ofArray(stored);
        int slot = PossibleCpus.slotSize(valueSize());
        List<byte[]> perCpu = new ArrayList<>();
        for (int cpu = 0; cpu < PossibleCpus.count(); cpu++) {
            perCpu.add(values.asSlice((long) cpu * slot, valueSize()).toArray(JAVA_BYTE));
        }
        return perCpu;
    }

    private void requireNotPerCpu(String operation) {
        if (isPerCpu()) {
            throw new IllegalStateException(operation + " on per-CPU map " + name() + " needs one value per CPU");
        }
    }

    @Override
    public void close() {
        if (ownsFd && closed.compareAndSet(false, true)) {
            Libc.close(fd);
        }
    }

    @Override
    public String toString() {
        return "BpfMap[" + name() + " fd=" + fd + " type=" + type() + "]";
    }
}
