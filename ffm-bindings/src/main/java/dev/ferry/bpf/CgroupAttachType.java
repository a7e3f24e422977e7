package dev.ferry.bpf;

/**
 * The cgroup socket-address hooks Ferry attaches to, with their {@code enum bpf_attach_type}
 * values from linux/bpf.h (checked against the kernel's BTF by CgroupAttachTest).
 */
public enum CgroupAttachType {
    /** connect() of an IPv4 TCP or UDP socket (also TCP fast open's sendmsg). */
    INET4_CONNECT(10),
    /** sendto()/sendmsg() with a destination on an IPv4 UDP socket. */
    UDP4_SENDMSG(14),
    /** recvfrom()/recvmsg() on an IPv4 UDP socket: the source address returned. */
    UDP4_RECVMSG(19),
    /** getpeername() of an IPv4 socket. */
    INET4_GETPEERNAME(29);

    private final int value;

    CgroupAttachType(int value) {
        this.value = value;
    }

    /** BPF_CGROUP_* in enum bpf_attach_type. */
    public int value() {
        return value;
    }

    /** The kernel's name for it, e.g. BPF_CGROUP_INET4_CONNECT. */
    public String kernelName() {
        return "BPF_CGROUP_" + name();
    }

    /** The type with this kernel value, or null for an attach type this enum does not name. */
    public static CgroupAttachType of(int value) {
        for (CgroupAttachType type : values()) {
            if (type.value == value) return type;
        }
        return null;
    }
}
