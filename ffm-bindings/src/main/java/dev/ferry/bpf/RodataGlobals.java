package dev.ferry.bpf;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import me.bechberger.ebpf.bpf.raw.Lib;

/**
 * Writes {@code const volatile} globals: they live in the object's internal ".rodata" map, whose
 * initial value libbpf freezes at load. BTF's DATASEC ".rodata" says where each variable sits.
 */
final class RodataGlobals {
    private static final String SECTION = ".rodata";

    private RodataGlobals() {
    }

    static void set(MemorySegment object, Btf btf, String variable, byte[] value) {
        Btf.Slot slot = btf.variable(SECTION, variable).orElseThrow(() -> new IllegalArgumentException(
                "no const volatile global '" + variable + "' in " + SECTION + " (unused globals are kept, "
                        + "static or non-const ones are not in .rodata)"));
        if (slot.size() != value.length) {
            throw new IllegalArgumentException("global '" + variable + "' is " + slot.size() + " bytes, got "
                    + value.length);
        }
        MemorySegment map = rodataMap(object);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment size = arena.allocate(JAVA_LONG);
            MemorySegment current = Lib.bpf_map__initial_value(map, size);
            if (current.equals(MemorySegment.NULL)) {
                throw new IllegalStateException(SECTION + " has no initial value");
            }
            long length = size.get(JAVA_LONG, 0);
            MemorySegment image = arena.allocate(length);
            image.copyFrom(current.reinterpret(length));
            MemorySegment.copy(value, 0, image, JAVA_BYTE, slot.offset(), value.length);
            BpfException.check("bpf_map__set_initial_value", Lib.bpf_map__set_initial_value(map, image, length));
        }
    }

    // libbpf names internal maps "<object name prefix>.rodata", e.g. "selftes.rodata".
    private static MemorySegment rodataMap(MemorySegment object) {
        for (MemorySegment m = Lib.bpf_object__next_map(object, MemorySegment.NULL);
                !m.equals(MemorySegment.NULL); m = Lib.bpf_object__next_map(object, m)) {
            if (BpfObject.cString(Lib.bpf_map__name(m)).endsWith(SECTION)) {
                return m;
            }
        }
        throw new IllegalStateException("object has no " + SECTION + " map");
    }
}
