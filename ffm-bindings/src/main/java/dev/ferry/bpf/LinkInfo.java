package dev.ferry.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import me.bechberger.ebpf.bpf.raw.Lib;
import me.bechberger.ebpf.bpf.raw.bpf_link_info;

/**
 * What the kernel says about a link: BPF_LINK_TYPE_*, ids, for XDP/tcx links the interface, for
 * cgroup links the cgroup id (the inode number of its cgroup2 directory) and the attach type
 * (0 where a field does not apply).
 */
public record LinkInfo(int id, int type, int programId, int ifindex, long cgroupId, int attachType) {
    public static final int TYPE_CGROUP = 3;
    public static final int TYPE_XDP = 6;
    public static final int TYPE_TCX = 11;

    static LinkInfo of(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(bpf_link_info.layout());
            MemorySegment length = arena.allocateFrom(ValueLayout.JAVA_INT, (int) bpf_link_info.sizeof());
            // libbpf 1.1.2 lacks bpf_link_get_info_by_fd (1.2+); same syscall underneath.
            BpfException.check("bpf_obj_get_info_by_fd", Lib.bpf_obj_get_info_by_fd(fd, info, length));
            int type = bpf_link_info.type(info);
            int ifindex = switch (type) {
                case TYPE_XDP -> bpf_link_info.xdp.ifindex(bpf_link_info.xdp(info));
                case TYPE_TCX -> bpf_link_info.tcx.ifindex(bpf_link_info.tcx(info));
                default -> 0;
            };
            long cgroupId = 0;
            int attachType = 0;
            if (type == TYPE_CGROUP) {
                cgroupId = bpf_link_info.cgroup.cgroup_id(bpf_link_info.cgroup(info));
                attachType = bpf_link_info.cgroup.attach_type(bpf_link_info.cgroup(info));
            }
            return new LinkInfo(bpf_link_info.id(info), type, bpf_link_info.prog_id(info), ifindex, cgroupId, attachType);
        }
    }
}
