package dev.ferry.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import me.bechberger.ebpf.bpf.raw.Lib;
import me.bechberger.ebpf.bpf.raw.bpf_map_info;

/** What the kernel says about a map fd (BPF_OBJ_GET_INFO_BY_FD). */
record MapInfo(int id, String name, int type, int keySize, int valueSize, int maxEntries) {

    static MapInfo of(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(bpf_map_info.layout());
            MemorySegment length = arena.allocateFrom(ValueLayout.JAVA_INT, (int) bpf_map_info.sizeof());
            // libbpf 1.1.2 has no bpf_map_get_info_by_fd (added in 1.2); the generic call is the same syscall.
            BpfException.check("bpf_obj_get_info_by_fd", Lib.bpf_obj_get_info_by_fd(fd, info, length));
            return new MapInfo(bpf_map_info.id(info), bpf_map_info.name(info).getString(0),
                    bpf_map_info.type(info), bpf_map_info.key_size(info), bpf_map_info.value_size(info),
                    bpf_map_info.max_entries(info));
        }
    }
}
