package dev.ferry.sys;

import java.nio.ByteBuffer;

/**
 * The byte layout of rtnetlink link messages (linux/rtnetlink.h struct ifinfomsg,
 * linux/if_link.h IFLA_*); the framing is {@link NetlinkMessages}'.
 */
final class LinkMessages {
    static final short RTM_NEWLINK = 16;
    static final short RTM_DELLINK = 17;
    private static final short RTM_GETLINK = 18;
    // struct ifinfomsg { u8 family; u8 pad; u16 type; i32 index; u32 flags; u32 change; }
    private static final int IFINFOMSG_LEN = 16;
    private static final int IFI_INDEX = 4;
    private static final int IFI_FLAGS = 8;
    private static final int IFF_UP = 0x1;
    private static final int IFLA_IFNAME = 3;
    private static final int IFLA_LINKINFO = 18;
    private static final int IFLA_INFO_KIND = 1;

    private LinkMessages() {
    }

    /** nlmsghdr + ifinfomsg asking for every link of the socket's namespace. */
    static byte[] dumpRequest(int seq) {
        return new NetlinkMessages.Request(RTM_GETLINK, NetlinkMessages.NLM_F_REQUEST | NetlinkMessages.NLM_F_DUMP, IFINFOMSG_LEN)
                .u8(0, NetlinkMessages.AF_UNSPEC)
                .build(seq);
    }

    /** Decodes one RTM_NEWLINK/RTM_DELLINK message (header included). */
    static NetLink link(ByteBuffer message) {
        int index = NetlinkMessages.familyS32(message, IFI_INDEX);
        boolean up = (NetlinkMessages.familyS32(message, IFI_FLAGS) & IFF_UP) != 0;
        String[] nameAndKind = new String[2];
        NetlinkMessages.attributes(message, IFINFOMSG_LEN, (type, at, length) -> {
            if (type == IFLA_IFNAME) {
                nameAndKind[0] = NetlinkMessages.string(message, at, length);
            } else if (type == IFLA_LINKINFO) {
                NetlinkMessages.attributes(message, at, at + length, (infoType, infoAt, infoLength) -> {
                    if (infoType == IFLA_INFO_KIND) {
                        nameAndKind[1] = NetlinkMessages.string(message, infoAt, infoLength);
                    }
                });
            }
        });
        return new NetLink(index, nameAndKind[0], up, nameAndKind[1]);
    }
}
