package dev.ferry.bpf;

/**
 * A TC program attached to an interface: a tcx {@link BpfLink} (kernel 6.6+) or, on older
 * kernels, a netlink {@link ClsactFilter}.
 *
 * <p>{@link #close()} only releases what this process holds; {@link #detach()} removes the program
 * from the interface. A pinned tcx link and a clsact filter both survive the agent (fail open).
 */
public sealed interface TcAttachment extends AutoCloseable permits BpfLink, ClsactFilter {
    int ifindex();

    void detach();

    @Override
    void close();
}
