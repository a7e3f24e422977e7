package dev.ferry.bpf;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.ferry.sys.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import me.bechberger.ebpf.bpf.raw.Lib;
import me.bechberger.ebpf.bpf.raw.bpf_prog_info;
import me.bechberger.ebpf.bpf.raw.bpf_test_run_opts;

/** A loaded program of a {@link BpfObject}; its fd is owned by the object. */
public final class BpfProgram {
    private static final int BPF_XDP = 37;
    // Programs may grow the packet (encapsulation, ICMP replies); the kernel fails with ENOSPC
    // when data_out is too small.
    private static final int OUT_HEADROOM = 256;
    private static final int MIN_OUT = 512;

    private final String name;
    private final int fd;
    private final int type;

    BpfProgram(String name, int fd, int type) {
        this.name = name;
        this.fd = fd;
        this.type = type;
    }

    public String name() {
        return name;
    }

    public int fd() {
        return fd;
    }

    /** BPF_PROG_TYPE_* from linux/bpf.h (3 sched_cls, 6 xdp…). */
    public int type() {
        return type;
    }

    /** Runs the program on {@code packet} {@code repeat} times in the kernel (BPF_PROG_TEST_RUN). */
    public TestRunResult testRun(byte[] packet, int repeat) {
        return testRun(packet, repeat, 0);
    }

    /**
     * XDP test run as if the frame arrived on {@code ingressIfindex}, an interface of the calling
     * thread's network namespace, so helpers such as bpf_fib_lookup see its routes and neighbours.
     */
    public TestRunResult testRunXdp(byte[] packet, int ingressIfindex) {
        return testRun(packet, 1, ingressIfindex);
    }

    /**
     * As {@link #testRunXdp(byte[], int)}, {@code repeat} times in the kernel's loop. Every
     * repetition runs on the frame as the previous one left it (net/bpf/test_run.c resets
     * nothing between them), so only a program that leaves the frame as it found it is measured
     * {@code repeat} times on the same input.
     */
    public TestRunResult testRunXdp(byte[] packet, int ingressIfindex, int repeat) {
        return testRun(packet, repeat, ingressIfindex);
    }

    private TestRunResult testRun(byte[] packet, int repeat, int xdpIngressIfindex) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocateFrom(JAVA_BYTE, packet);
            MemorySegment out = arena.allocate(Math.max(packet.length + OUT_HEADROOM, MIN_OUT));
            MemorySegment opts = arena.allocate(bpf_test_run_opts.layout());
            bpf_test_run_opts.sz(opts, bpf_test_run_opts.sizeof());
            bpf_test_run_opts.data_in(opts, in);
            bpf_test_run_opts.data_size_in(opts, packet.length);
            bpf_test_run_opts.data_out(opts, out);
            bpf_test_run_opts.data_size_out(opts, (int) out.byteSize());
            bpf_test_run_opts.repeat(opts, Math.max(repeat, 1));
            if (xdpIngressIfindex > 0) {
                // struct xdp_md {data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex}
                MemorySegment ctx = arena.allocate(6 * Integer.BYTES);
                ctx.set(JAVA_INT, 4, packet.length);
                ctx.set(JAVA_INT, 12, xdpIngressIfindex);
                bpf_test_run_opts.ctx_in(opts, ctx);
                bpf_test_run_opts.ctx_size_in(opts, (int) ctx.byteSize());
            }
            BpfException.check("bpf_prog_test_run_opts", Lib.bpf_prog_test_run_opts(fd, opts));
            byte[] packetOut = out.asSlice(0, bpf_test_run_opts.data_size_out(opts)).toArray(JAVA_BYTE);
            return new TestRunResult(bpf_test_run_opts.retval(opts), packetOut,
                    Integer.toUnsignedLong(bpf_test_run_opts.duration(opts)));
        }
    }

    /**
     * The program as the verifier left it, what {@code bpftool prog dump xlated} shows: helper
     * calls it inlined replaced by their instructions, branches on load-time constants resolved
     * and the code they made dead removed.
     */
    public List<BpfInstruction> translatedInstructions() {
        try (Arena arena = Arena.ofConfined()) {
            int length = bpf_prog_info.xlated_prog_len(info(arena, 0, MemorySegment.NULL));
            MemorySegment insns = arena.allocate(length, 8);
            info(arena, length, insns);
            List<BpfInstruction> out = new ArrayList<>(length / 8);
            for (long at = 0; at < length; at += 8) {
                byte regs = insns.get(JAVA_BYTE, at + 1);
                out.add(new BpfInstruction(insns.get(JAVA_BYTE, at) & 0xff, regs & 0xf, (regs >> 4) & 0xf,
                        insns.get(JAVA_SHORT, at + 2), insns.get(JAVA_INT, at + 4)));
            }
            return out;
        }
    }

    /** bpf_prog_info, with the translated instructions copied into {@code insns} if it holds {@code length} bytes. */
    private MemorySegment info(Arena arena, int length, MemorySegment insns) {
        MemorySegment info = arena.allocate(bpf_prog_info.layout());
        bpf_prog_info.xlated_prog_len(info, length);
        bpf_prog_info.xlated_prog_insns(info, insns.address());
        MemorySegment infoLength = arena.allocateFrom(JAVA_INT, (int) bpf_prog_info.sizeof());
        // libbpf 1.1.2 lacks bpf_prog_get_info_by_fd (1.2+); the generic call is the same syscall.
        BpfException.check("bpf_obj_get_info_by_fd", Lib.bpf_obj_get_info_by_fd(fd, info, infoLength));
        return info;
    }

    /** Attaches as XDP in the driver's default mode through a link (closing it detaches). */
    public BpfLink attachXdp(int ifindex) {
        return BpfLink.create(fd, ifindex, BPF_XDP);
    }

    /**
     * Attaches to a cgroup v2 directory through a link (bpf_link_create with the cgroup's fd).
     * The program runs for every socket of every process in that cgroup and its descendants,
     * after the programs of its ancestors; links allow several programs per hook (multi mode).
     * Fails with the errno of open (ENOENT, ENOTDIR) or of bpf_link_create (EBADF: not a
     * cgroup v2 directory; EINVAL: the program's expected attach type is another one).
     */
    public BpfLink attachCgroup(Path cgroupDir, CgroupAttachType type) {
        Libc.Result dir = Libc.openDirectory(cgroupDir.toString());
        if (dir.value() < 0) {
            throw new BpfException("open", dir.errno(), "cgroup " + cgroupDir);
        }
        try {
            // The link holds its own reference on the cgroup; the directory fd is only the handle.
            return BpfLink.create(fd, (int) dir.value(), type.value());
        } finally {
            Libc.close((int) dir.value());
        }
    }

    public TcAttachment attachTc(int ifindex, TcDirection direction) {
        return attachTc(ifindex, direction, AttachMode.AUTO);
    }

    /**
     * Attaches as a TC program. tcx goes through bpf_link_create because libbpf 1.1.2 has no
     * bpf_program__attach_tcx; kernels before 6.6 reject the tcx attach types, and AUTO then falls
     * back to a clsact filter.
     */
    public TcAttachment attachTc(int ifindex, TcDirection direction, AttachMode mode) {
        if (mode == AttachMode.CLSACT) {
            return ClsactFilter.attach(fd, ifindex, direction);
        }
        try {
            return BpfLink.create(fd, ifindex, direction.tcxAttachType);
        } catch (BpfException e) {
            if (mode == AttachMode.AUTO && Errno.isUnsupported(e.errno())) {
                return ClsactFilter.attach(fd, ifindex, direction);
            }
            throw e;
        }
    }

    @Override
    public String toString() {
        return "BpfProgram[" + name + " fd=" + fd + " type=" + type + "]";
    }
}
