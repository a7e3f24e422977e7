package dev.ferry.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import me.bechberger.ebpf.bpf.raw.Lib;
import me.bechberger.ebpf.bpf.raw.bpf_tc_hook;
import me.bechberger.ebpf.bpf.raw.bpf_tc_opts;

/**
 * A direct-action BPF filter on a clsact qdisc, the pre-tcx way to attach TC programs. Identified
 * by (ifindex, direction, handle, priority); holds no fd, so {@link #close()} does nothing.
 */
public record ClsactFilter(int ifindex, TcDirection direction, int handle, int priority) implements TcAttachment {

    /** Creates the clsact qdisc if missing and adds {@code programFd} as a filter. */
    static ClsactFilter attach(int programFd, int ifindex, TcDirection direction) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment hook = hook(arena, ifindex, direction);
            int created = Lib.bpf_tc_hook_create(hook);
            if (created != -Errno.EEXIST) { // another filter already made the qdisc: share it
                BpfException.check("bpf_tc_hook_create", created);
            }
            MemorySegment opts = arena.allocate(bpf_tc_opts.layout());
            bpf_tc_opts.sz(opts, bpf_tc_opts.sizeof());
            bpf_tc_opts.prog_fd(opts, programFd);
            BpfException.check("bpf_tc_attach", Lib.bpf_tc_attach(hook, opts));
            return new ClsactFilter(ifindex, direction, bpf_tc_opts.handle(opts), bpf_tc_opts.priority(opts));
        }
    }

    /** Removes this filter; the clsact qdisc stays, other filters may use it. */
    @Override
    public void detach() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment opts = arena.allocate(bpf_tc_opts.layout());
            bpf_tc_opts.sz(opts, bpf_tc_opts.sizeof());
            bpf_tc_opts.handle(opts, handle);
            bpf_tc_opts.priority(opts, priority);
            BpfException.check("bpf_tc_detach", Lib.bpf_tc_detach(hook(arena, ifindex, direction), opts));
        }
    }

    @Override
    public void close() {
    }

    private static MemorySegment hook(Arena arena, int ifindex, TcDirection direction) {
        MemorySegment hook = arena.allocate(bpf_tc_hook.layout());
        bpf_tc_hook.sz(hook, bpf_tc_hook.sizeof());
        bpf_tc_hook.ifindex(hook, ifindex);
        bpf_tc_hook.attach_point(hook, direction.clsactAttachPoint);
        return hook;
    }
}
