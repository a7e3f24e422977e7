package dev.ferry.sys;

import java.net.Inet4Address;
import java.nio.ByteBuffer;

/**
 * The byte layout of rtnetlink neighbor messages (linux/neighbour.h struct ndmsg, NDA_*, NTF_*,
 * NUD_*); the framing is {@link NetlinkMessages}'.
 */
final class NeighborMessages {
    static final short RTM_NEWNEIGH = 28;
    private static final short RTM_DELNEIGH = 29;
    private static final short RTM_GETNEIGH = 30;
    // struct ndmsg { u8 family; u8 pad1; u16 pad2; s32 ifindex; u16 state; u8 flags; u8 type; }
    private static final int NDMSG_LEN = 12;
    private static final int NDM_FAMILY = 0;
    private static final int NDM_IFINDEX = 4;
    private static final int NDM_STATE = 8;
    private static final int NDM_FLAGS = 10;
    private static final int NDA_DST = 1;
    private static final int NDA_PROTOCOL = 12;
    private static final int NDA_FLAGS_EXT = 15;
    /** ndm_flags: exempts the entry from garbage collection (neigh_update_gc_list, neigh_periodic_work). */
    private static final int NTF_EXT_LEARNED = 0x10;
    /** NDA_FLAGS_EXT: the kernel resolves the entry proactively and keeps it valid (5.16+). */
    private static final int NTF_EXT_MANAGED = 0x1;
    private static final int NUD_NONE = 0x00;
    private static final int NUD_NOARP = 0x40;
    private static final int NUD_PERMANENT = 0x80;
    /**
     * NDA_PROTOCOL ("originator of entry", like a route's protocol) that marks Ferry's entries.
     * Values above RTPROT_STATIC (4) are not interpreted by the kernel; 70 ('F') is not among
     * those iproute2's rt_protos or linux/rtnetlink.h assign.
     */
    static final int FERRY_PROTOCOL = 70;

    private NeighborMessages() {
    }

    /** One neighbor entry as the kernel reports it. */
    record Entry(int ifindex, Inet4Address address, int state, boolean externallyLearned, boolean managed, int protocol) {
        /** PERMANENT or NOARP: configured, not resolved; Ferry leaves such an entry alone. */
        boolean isStatic() {
            return (state & (NUD_PERMANENT | NUD_NOARP)) != 0;
        }

        boolean ownedByFerry() {
            return managed && protocol == FERRY_PROTOCOL;
        }

        /** Exactly what {@link #keepManaged} writes; rewriting it would change nothing. */
        boolean keptByFerry() {
            return ownedByFerry() && externallyLearned && !isStatic();
        }

        ManagedNeighbor toManaged() {
            return new ManagedNeighbor(ifindex, address, ManagedNeighbor.State.of(state), ownedByFerry());
        }
    }

    /** RTM_GETNEIGH for one entry (neigh_get, kernel 5.0+): answered with it or with ENOENT. */
    static byte[] get(int ifindex, Inet4Address address, int seq) {
        return entryRequest(RTM_GETNEIGH, NetlinkMessages.NLM_F_REQUEST | NetlinkMessages.NLM_F_ACK, ifindex, address)
                .build(seq);
    }

    /**
     * What {@code ip neigh replace ADDR dev DEV managed extern_learn proto 70} sends:
     * NTF_EXT_MANAGED in NDA_FLAGS_EXT with ndm_state NUD_NONE (iproute2 sets NONE for "managed";
     * the kernel refuses to create a managed entry with NUD_PERMANENT). No lladdr: the kernel
     * resolves it (neigh_add calls neigh_event_send for NTF_MANAGED). NTF_EXT_LEARNED is not
     * required for managed entries, but without it they stay on the GC list, and forced GC
     * removes entries not updated for 5 s once the table passes gc_thresh2; Cilium sets it too.
     * NLM_F_REPLACE overrides a dynamic entry and would strip NUD_PERMANENT from a static one,
     * which is why {@link Netlink#keepNeighborResolved} looks first.
     */
    static byte[] keepManaged(int ifindex, Inet4Address address, int seq) {
        int flags = NetlinkMessages.NLM_F_REQUEST | NetlinkMessages.NLM_F_ACK
                | NetlinkMessages.NLM_F_CREATE | NetlinkMessages.NLM_F_REPLACE;
        return entryRequest(RTM_NEWNEIGH, flags, ifindex, address)
                .u16(NDM_STATE, NUD_NONE)
                .u8(NDM_FLAGS, NTF_EXT_LEARNED)
                .u8Attribute(NDA_PROTOCOL, FERRY_PROTOCOL)
                .u32Attribute(NDA_FLAGS_EXT, NTF_EXT_MANAGED)
                .build(seq);
    }

    static byte[] delete(int ifindex, Inet4Address address, int seq) {
        return entryRequest(RTM_DELNEIGH, NetlinkMessages.NLM_F_REQUEST | NetlinkMessages.NLM_F_ACK, ifindex, address)
                .build(seq);
    }

    /** Every IPv4 neighbor entry of the socket's namespace. */
    static byte[] dumpRequest(int seq) {
        return new NetlinkMessages.Request(RTM_GETNEIGH, NetlinkMessages.NLM_F_REQUEST | NetlinkMessages.NLM_F_DUMP, NDMSG_LEN)
                .u8(NDM_FAMILY, NetlinkMessages.AF_INET)
                .build(seq);
    }

    /** Decodes one RTM_NEWNEIGH message (header included). */
    static Entry entry(ByteBuffer message) {
        Inet4Address[] address = new Inet4Address[1];
        int[] protocolAndExtFlags = new int[2];
        NetlinkMessages.attributes(message, NDMSG_LEN, (type, at, length) -> {
            switch (type) {
                case NDA_DST -> address[0] = NetlinkMessages.ipv4(message, at, length);
                case NDA_PROTOCOL -> protocolAndExtFlags[0] = Byte.toUnsignedInt(message.get(at));
                case NDA_FLAGS_EXT -> protocolAndExtFlags[1] = message.getInt(at);
                default -> { } // lladdr, cache info, probes
            }
        });
        int flags = NetlinkMessages.familyU8(message, NDM_FLAGS);
        return new Entry(NetlinkMessages.familyS32(message, NDM_IFINDEX), address[0],
                NetlinkMessages.familyU16(message, NDM_STATE), (flags & NTF_EXT_LEARNED) != 0,
                (protocolAndExtFlags[1] & NTF_EXT_MANAGED) != 0, protocolAndExtFlags[0]);
    }

    private static NetlinkMessages.Request entryRequest(int type, int flags, int ifindex, Inet4Address address) {
        return new NetlinkMessages.Request(type, flags, NDMSG_LEN)
                .u8(NDM_FAMILY, NetlinkMessages.AF_INET)
                .s32(NDM_IFINDEX, ifindex)
                .attribute(NDA_DST, address.getAddress());
    }
}
