package dev.ferry.bpf;

import dev.ferry.sys.Libc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import me.bechberger.ebpf.bpf.raw.Lib;

/**
 * A BPF link (XDP, tcx or cgroup attachment) held by fd. Closing the last fd of an unpinned link detaches
 * the program; a pinned link keeps the program attached after the agent exits (fail open), and a
 * restarted agent re-opens it with {@link #openPinned(Path)} and swaps the program with
 * {@link #update(BpfProgram)} without a gap.
 */
public final class BpfLink implements TcAttachment {
    private final int fd;
    private Path pinnedAt;
    private boolean closed;

    private BpfLink(int fd) {
        this.fd = fd;
    }

    /**
     * bpf_link_create with no options: XDP (attach type 37) and tcx (46/47) on an ifindex, cgroup
     * hooks on a cgroup directory fd, need none.
     */
    static BpfLink create(int programFd, int target, int attachType) {
        return new BpfLink(BpfException.check("bpf_link_create", Lib.bpf_link_create(
                programFd, target, attachType, MemorySegment.NULL)));
    }

    public static BpfLink openPinned(Path pin) {
        LibBpf.ensureLoaded();
        try (Arena arena = Arena.ofConfined()) {
            BpfLink link = new BpfLink(BpfException.check("bpf_obj_get", Lib.bpf_obj_get(arena.allocateFrom(pin.toString()))));
            link.pinnedAt = pin;
            return link;
        }
    }

    public int fd() {
        return fd;
    }

    public LinkInfo info() {
        return LinkInfo.of(fd);
    }

    @Override
    public int ifindex() {
        return info().ifindex();
    }

    /** Pins the link on bpffs so the attachment outlives this process. */
    public synchronized void pin(Path path) {
        try (Arena arena = Arena.ofConfined()) {
            BpfException.check("bpf_obj_pin", Lib.bpf_obj_pin(fd, arena.allocateFrom(path.toString())));
            pinnedAt = path;
        }
    }

    /** Removes the pin made by {@link #pin} or opened by {@link #openPinned}; the fd stays valid. */
    public synchronized void unpin() {
        if (pinnedAt == null) {
            throw new IllegalStateException("link fd " + fd + " is not pinned by this handle");
        }
        try {
            Files.deleteIfExists(pinnedAt);
        } catch (IOException e) {
            throw new UncheckedIOException("unpin " + pinnedAt, e);
        }
        pinnedAt = null;
    }

    /** Atomically replaces the attached program: no packet sees the interface without one. */
    public void update(BpfProgram program) {
        BpfException.check("bpf_link_update", Lib.bpf_link_update(fd, program.fd(), MemorySegment.NULL));
    }

    /** Detaches the program now, even if the link is pinned or other fds exist (link becomes defunct). */
    @Override
    public void detach() {
        BpfException.check("bpf_link_detach", Lib.bpf_link_detach(fd));
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Libc.close(fd);
        }
    }

    @Override
    public String toString() {
        return "BpfLink[fd=" + fd + (pinnedAt == null ? "" : " pinned " + pinnedAt) + "]";
    }
}
