package dev.ferry.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import me.bechberger.ebpf.bpf.raw.Lib;
import me.bechberger.ebpf.bpf.raw.btf_enum;
import me.bechberger.ebpf.bpf.raw.btf_member;
import me.bechberger.ebpf.bpf.raw.btf_type;
import me.bechberger.ebpf.bpf.raw.btf_var_secinfo;

/**
 * Read-only view of BTF type information: struct layouts and enum values, so Java codecs can be
 * checked against what clang actually compiled.
 */
public final class Btf implements AutoCloseable {
    // BTF_KIND_* from linux/btf.h
    private static final int KIND_STRUCT = 4;
    private static final int KIND_ENUM = 6;
    private static final int KIND_VAR = 14;
    private static final int KIND_DATASEC = 15;

    private final MemorySegment btf;
    private final boolean owned;
    private boolean closed;

    private Btf(MemorySegment btf, boolean owned) {
        this.btf = btf;
        this.owned = owned;
    }

    /** BTF borrowed from a {@link BpfObject}; freed by the object, not by {@link #close()}. */
    static Btf borrowed(MemorySegment btf) {
        return new Btf(btf, false);
    }

    /** Parses the BTF of an ELF object file (or a raw BTF file such as /sys/kernel/btf/vmlinux). */
    public static Btf parse(Path file) {
        LibBpf.ensureLoaded();
        try (Arena arena = Arena.ofConfined()) {
            return new Btf(LibBpf.btfParse(arena.allocateFrom(file.toString())), true);
        }
    }

    /** The struct named {@code name} with each member's byte offset and size. */
    public synchronized Optional<BtfStruct> struct(String name) {
        return findType(name, KIND_STRUCT).map(type -> {
            List<BtfField> fields = new ArrayList<>();
            for (MemorySegment member : trailing(type, btf_member.sizeof())) {
                int offsetBits = btf_member.offset(member);
                if (kindFlag(type)) {
                    offsetBits &= 0xffffff; // upper 8 bits hold the bitfield size
                }
                long size = Lib.btf__resolve_size(btf, btf_member.type(member));
                fields.add(new BtfField(nameAt(btf_member.name_off(member)), offsetBits / 8, (int) size));
            }
            return new BtfStruct(name, btf_type.size(type), List.copyOf(fields));
        });
    }

    /** Enumerator name to value, in declaration order; empty when there is no such enum. */
    public synchronized Map<String, Long> enumValues(String enumName) {
        Map<String, Long> values = new LinkedHashMap<>();
        findType(enumName, KIND_ENUM).ifPresent(type -> {
            boolean signed = kindFlag(type);
            for (MemorySegment entry : trailing(type, btf_enum.sizeof())) {
                int raw = btf_enum.val(entry);
                values.put(nameAt(btf_enum.name_off(entry)), signed ? (long) raw : Integer.toUnsignedLong(raw));
            }
        });
        return values;
    }

    /** Where variable {@code var} lives inside data section {@code section} (e.g. ".rodata"). */
    synchronized Optional<Slot> variable(String section, String var) {
        return findType(section, KIND_DATASEC).flatMap(datasec -> {
            for (MemorySegment info : trailing(datasec, btf_var_secinfo.sizeof())) {
                MemorySegment varType = typeById(btf_var_secinfo.type(info));
                if (kind(varType) == KIND_VAR && nameAt(btf_type.name_off(varType)).equals(var)) {
                    return Optional.of(new Slot(btf_var_secinfo.offset(info), btf_var_secinfo.size(info)));
                }
            }
            return Optional.empty();
        });
    }

    /** A byte range inside a data section. */
    record Slot(int offset, int size) {
    }

    @Override
    public synchronized void close() {
        if (owned && !closed) {
            Lib.btf__free(btf);
        }
        closed = true;
    }

    private Optional<MemorySegment> findType(String name, int kind) {
        ensureOpen();
        try (Arena arena = Arena.ofConfined()) {
            int id = Lib.btf__find_by_name_kind(btf, arena.allocateFrom(name), kind);
            return id <= 0 ? Optional.empty() : Optional.of(typeById(id));
        }
    }

    private MemorySegment typeById(int id) {
        MemorySegment type = Lib.btf__type_by_id(btf, id);
        if (type.equals(MemorySegment.NULL)) {
            throw new IllegalStateException("BTF type id " + id + " out of range");
        }
        return type.reinterpret(btf_type.sizeof());
    }

    // Members, enumerators and section entries follow the btf_type header; vlen says how many.
    private static List<MemorySegment> trailing(MemorySegment type, long entrySize) {
        int vlen = btf_type.info(type) & 0xffff;
        MemorySegment entries = MemorySegment.ofAddress(type.address() + btf_type.sizeof())
                .reinterpret(vlen * entrySize);
        List<MemorySegment> result = new ArrayList<>(vlen);
        for (int i = 0; i < vlen; i++) {
            result.add(entries.asSlice(i * entrySize, entrySize));
        }
        return result;
    }

    private static int kind(MemorySegment type) {
        return (btf_type.info(type) >>> 24) & 0x1f;
    }

    private static boolean kindFlag(MemorySegment type) {
        return (btf_type.info(type) >>> 31) != 0;
    }

    private String nameAt(int offset) {
        MemorySegment name = Lib.btf__name_by_offset(btf, offset);
        return name.equals(MemorySegment.NULL) ? "" : name.reinterpret(Long.MAX_VALUE).getString(0);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("BTF already closed");
        }
    }
}
