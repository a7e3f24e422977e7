package dev.ferry.bpf;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.ferry.sys.Libc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import me.bechberger.ebpf.bpf.raw.Lib;
import me.bechberger.ebpf.bpf.raw.bpf_object_open_opts;

/**
 * One compiled eBPF object file: open, configure (globals, map sizes), load, then use its
 * programs and maps. Owns the libbpf object, its fds and the native memory behind them.
 *
 * <p>Maps declared with {@code __uint(pinning, LIBBPF_PIN_BY_NAME)} are pinned under the pin root
 * given at open, or reused from there when already pinned: that is how map contents survive an
 * agent restart.
 */
public final class BpfObject implements AutoCloseable {
    private final Arena arena;
    private final MemorySegment object;
    private final String name;
    private final Btf btf;
    private final Map<String, BpfProgram> programs = new LinkedHashMap<>();
    private final Map<String, BpfMap> maps = new LinkedHashMap<>();
    private boolean loaded;
    private boolean closed;

    private BpfObject(Arena arena, MemorySegment object, String name) {
        this.arena = arena;
        this.object = object;
        this.name = name;
        MemorySegment rawBtf = Lib.bpf_object__btf(object);
        this.btf = rawBtf.equals(MemorySegment.NULL) ? null : Btf.borrowed(rawBtf);
    }

    /**
     * Opens an object from memory (e.g. a classpath resource). {@code pinRoot} is created if
     * missing; null means libbpf's default, /sys/fs/bpf itself.
     */
    public static BpfObject open(byte[] elf, String name, Path pinRoot) {
        LibBpf.ensureLoaded();
        Arena arena = Arena.ofShared();
        try {
            // libbpf keeps pointing into the ELF buffer after open, so it lives as long as the object.
            MemorySegment buffer = arena.allocateFrom(JAVA_BYTE, elf);
            MemorySegment opts = openOptions(arena, name, pinRoot);
            return new BpfObject(arena, LibBpf.openMem(buffer, elf.length, opts), name);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Opens an object file; {@code pinRoot} as in {@link #open(byte[], String, Path)}. */
    public static BpfObject open(Path file, Path pinRoot) {
        LibBpf.ensureLoaded();
        Arena arena = Arena.ofShared();
        try {
            MemorySegment opts = openOptions(arena, null, pinRoot);
            String name = file.getFileName().toString();
            return new BpfObject(arena, LibBpf.openFile(arena.allocateFrom(file.toString()), opts), name);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static MemorySegment openOptions(Arena arena, String name, Path pinRoot) {
        // Zeroed and sized: libbpf 1.1.2 accepts the 1.3-sized struct because the unknown tail is zero.
        MemorySegment opts = arena.allocate(bpf_object_open_opts.layout());
        bpf_object_open_opts.sz(opts, bpf_object_open_opts.sizeof());
        if (name != null) {
            bpf_object_open_opts.object_name(opts, arena.allocateFrom(name));
        }
        if (pinRoot != null) {
            try {
                Files.createDirectories(pinRoot);
            } catch (IOException e) {
                throw new UncheckedIOException("create pin root " + pinRoot, e);
            }
            bpf_object_open_opts.pin_root_path(opts, arena.allocateFrom(pinRoot.toString()));
        }
        return opts;
    }

    public String name() {
        return name;
    }

    /** Sets a {@code const volatile} global in .rodata before load; {@code value} must match its size. */
    public synchronized void setGlobal(String variable, byte[] value) {
        requireState(false, "setGlobal");
        RodataGlobals.set(object, btf(), variable, value);
    }

    /** Sets a 32-bit global in host byte order. */
    public void setGlobalInt(String variable, int value) {
        setGlobal(variable, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array());
    }

    /** Sets a 64-bit global in host byte order. */
    public void setGlobalLong(String variable, long value) {
        setGlobal(variable, ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(value).array());
    }

    /** Resizes a map before load (e.g. conntrack sized to the node). */
    public synchronized void setMaxEntries(String map, int maxEntries) {
        requireState(false, "setMaxEntries");
        BpfException.check("bpf_map__set_max_entries", Lib.bpf_map__set_max_entries(rawMap(map), maxEntries));
    }

    /** Sets a map's value size before load, for maps declared without a BTF value type. */
    public synchronized void setValueSize(String map, int valueSize) {
        requireState(false, "setValueSize");
        BpfException.check("bpf_map__set_value_size", Lib.bpf_map__set_value_size(rawMap(map), valueSize));
    }

    /**
     * Before load: every map of this object already pinned at its pin path is taken as it is,
     * its definition (max entries, value size, flags) included, instead of being checked against
     * this object's declaration; libbpf would refuse a pinned map declared differently. Two
     * objects declaring the same maps by name so share them, whatever size the first loader gave
     * them. Returns the names of the maps adopted.
     */
    public synchronized List<String> adoptPinnedMaps() {
        requireState(false, "adoptPinnedMaps");
        List<String> adopted = new ArrayList<>();
        try (Arena scratch = Arena.ofConfined()) {
            for (MemorySegment m = Lib.bpf_object__next_map(object, MemorySegment.NULL);
                    !m.equals(MemorySegment.NULL); m = Lib.bpf_object__next_map(object, m)) {
                String pin = cString(Lib.bpf_map__pin_path(m));
                if (Lib.bpf_map__is_internal(m) || pin.isEmpty() || !Files.exists(Path.of(pin))) {
                    continue;
                }
                int fd = BpfException.check("bpf_obj_get", Lib.bpf_obj_get(scratch.allocateFrom(pin)));
                try {
                    BpfException.check("bpf_map__reuse_fd", Lib.bpf_map__reuse_fd(m, fd)); // dups the fd
                } finally {
                    Libc.close(fd);
                }
                adopted.add(cString(Lib.bpf_map__name(m)));
            }
        }
        return adopted;
    }

    /** Creates (or reuses pinned) maps and loads every program through the verifier. */
    public synchronized void load() {
        requireState(false, "load");
        long logMark = LibbpfLog.mark();
        int result = Lib.bpf_object__load(object);
        if (result < 0) {
            throw new BpfException("bpf_object__load", -result, LibbpfLog.since(logMark));
        }
        loaded = true;
        for (MemorySegment p = Lib.bpf_object__next_program(object, MemorySegment.NULL);
                !p.equals(MemorySegment.NULL); p = Lib.bpf_object__next_program(object, p)) {
            String programName = cString(Lib.bpf_program__name(p));
            programs.put(programName, new BpfProgram(programName, Lib.bpf_program__fd(p), Lib.bpf_program__type(p)));
        }
        for (MemorySegment m = Lib.bpf_object__next_map(object, MemorySegment.NULL);
                !m.equals(MemorySegment.NULL); m = Lib.bpf_object__next_map(object, m)) {
            maps.put(cString(Lib.bpf_map__name(m)), BpfMap.borrowed(Lib.bpf_map__fd(m)));
        }
    }

    public synchronized BpfProgram program(String programName) {
        requireState(true, "program");
        return Optional.ofNullable(programs.get(programName)).orElseThrow(() -> new IllegalArgumentException(
                "no program " + programName + " in " + name + "; it has " + programs.keySet()));
    }

    public synchronized BpfMap map(String mapName) {
        requireState(true, "map");
        return Optional.ofNullable(maps.get(mapName)).orElseThrow(() -> new IllegalArgumentException(
                "no map " + mapName + " in " + name + "; it has " + maps.keySet()));
    }

    public synchronized Collection<BpfProgram> programs() {
        requireState(true, "programs");
        return java.util.List.copyOf(programs.values());
    }

    /** Every map, internal ones (.rodata, .bss) included, by libbpf name. */
    public synchronized Collection<BpfMap> maps() {
        requireState(true, "maps");
        return java.util.List.copyOf(maps.values());
    }

    /** The object's BTF; valid until this object is closed. */
    public Btf btf() {
        if (btf == null) {
            throw new IllegalStateException(name + " has no BTF (compile with clang -g)");
        }
        return btf;
    }

    private MemorySegment rawMap(String mapName) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment map = Lib.bpf_object__find_map_by_name(object, scratch.allocateFrom(mapName));
            if (map.equals(MemorySegment.NULL)) {
                throw new IllegalArgumentException("no map " + mapName + " in " + name);
            }
            return map;
        }
    }

    private void requireState(boolean mustBeLoaded, String operation) {
        if (closed) {
            throw new IllegalStateException(name + " is closed");
        }
        if (loaded != mustBeLoaded) {
            throw new IllegalStateException(operation + " is only valid " + (mustBeLoaded ? "after" : "before")
                    + " load() of " + name);
        }
    }

    static String cString(MemorySegment pointer) {
        return pointer.equals(MemorySegment.NULL) ? "" : pointer.reinterpret(Long.MAX_VALUE).getString(0);
    }

    /** Closes every fd of the object; pinned maps and pinned links stay in the kernel. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (btf != null) {
            btf.close();
        }
        Lib.bpf_object__close(object);
        arena.close();
    }
}
