package dev.ferry.bpf;

/** How {@link BpfProgram#attachTc} attaches: tcx link, netlink clsact filter, or tcx then clsact. */
public enum AttachMode {
    /** tcx where the kernel has it (6.6+), clsact otherwise. */
    AUTO,
    /** tcx only; fails on older kernels. */
    TCX,
    /** netlink clsact filter only (what tc(8) creates). */
    CLSACT
}
