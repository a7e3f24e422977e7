package dev.ferry.bpf;

/** Which side of an interface a TC program sees: packets received (ingress) or sent (egress). */
public enum TcDirection {
    INGRESS(46, 1),
    EGRESS(47, 2);

    /** BPF_TCX_INGRESS / BPF_TCX_EGRESS attach types (kernel 6.6+). */
    final int tcxAttachType;
    /** BPF_TC_INGRESS / BPF_TC_EGRESS for libbpf's netlink clsact hook. */
    final int clsactAttachPoint;

    TcDirection(int tcxAttachType, int clsactAttachPoint) {
        this.tcxAttachType = tcxAttachType;
        this.clsactAttachPoint = clsactAttachPoint;
    }
}
