package dev.ferry.sys;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * The only place that knows the byte layout of rtnetlink link messages (linux/netlink.h,
 * linux/rtnetlink.h, linux/if_link.h). Netlink is in host byte order; Ferry runs on
 * little-endian hosts (x86-64, arm64), checked once below rather than assumed silently.
 */
final class LinkMessages {
    static {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new ExceptionInInitializerError("netlink codec assumes a little-endian host");
        }
    }

    // struct nlmsghdr { u32 len; u16 type; u16 flags; u32 seq; u32 pid; }
    private static final int NLMSG_HDRLEN = 16;
    private static final int NLMSG_LEN = 0;
    private static final int NLMSG_TYPE = 4;
    private static final int NLMSG_FLAGS = 6;
    private static final int NLMSG_SEQ = 8;
    // struct ifinfomsg { u8 family; u8 pad; u16 type; i32 index; u32 flags; u32 change; } right after the header
    private static final int IFI_INDEX = NLMSG_HDRLEN + 4;
    private static final int IFI_FLAGS = NLMSG_HDRLEN + 8;
    private static final int IFINFOMSG_LEN = 16;
    // struct nlmsgerr { i32 error; struct nlmsghdr msg; } right after the header
    private static final int NLMSGERR_ERROR = NLMSG_HDRLEN;
    // struct rtattr { u16 len; u16 type; } then the payload, padded to 4 bytes
    private static final int RTA_HDRLEN = 4;

    private static final short NLMSG_ERROR = 2;
    private static final short NLMSG_DONE = 3;
    static final short RTM_NEWLINK = 16;
    static final short RTM_DELLINK = 17;
    private static final short RTM_GETLINK = 18;
    private static final short NLM_F_REQUEST = 0x1;
    private static final short NLM_F_MULTI = 0x2;
    private static final short NLM_F_DUMP_INTR = 0x10;
    private static final short NLM_F_DUMP = 0x300;
    private static final int IFF_UP = 0x1;
    private static final int IFLA_IFNAME = 3;
    private static final int IFLA_LINKINFO = 18;
    private static final int IFLA_INFO_KIND = 1;
    /** rtattr types may carry NLA_F_NESTED / NLA_F_NET_BYTEORDER in the top bits. */
    private static final int NLA_TYPE_MASK = 0x3fff;
    private static final int AF_UNSPEC = 0;

    private LinkMessages() {
    }

    /** Thrown when the kernel marks a dump inconsistent because links changed while it was running. */
    static final class DumpInterrupted extends RuntimeException {
        DumpInterrupted() {
            super("RTM_GETLINK dump interrupted by a concurrent change", null, false, false);
        }
    }

    /** nlmsghdr + ifinfomsg asking for every link of the socket's namespace. */
    static byte[] dumpRequest(int seq) {
        ByteBuffer b = ByteBuffer.allocate(NLMSG_HDRLEN + IFINFOMSG_LEN).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(NLMSG_LEN, b.capacity())
                .putShort(NLMSG_TYPE, RTM_GETLINK)
                .putShort(NLMSG_FLAGS, (short) (NLM_F_REQUEST | NLM_F_DUMP))
                .putInt(NLMSG_SEQ, seq);
        b.put(NLMSG_HDRLEN, (byte) AF_UNSPEC);
        return b.array();
    }

    /**
     * Reads one datagram of a dump answer, handing each link to sink.
     *
     * @return true when the dump is complete (NLMSG_DONE, or a single-part answer)
     * @throws SyscallException when the kernel answered with an error
     * @throws DumpInterrupted  when the dump must be repeated
     */
    static boolean readDump(ByteBuffer datagram, int seq, Consumer<NetLink> sink) {
        ByteBuffer b = datagram.order(ByteOrder.LITTLE_ENDIAN);
        boolean done = false;
        for (int at = 0; at + NLMSG_HDRLEN <= b.limit(); ) {
            int length = b.getInt(at + NLMSG_LEN);
            if (length < NLMSG_HDRLEN || at + length > b.limit()) {
                throw new IllegalStateException("truncated netlink message at offset " + at);
            }
            short type = b.getShort(at + NLMSG_TYPE);
            short flags = b.getShort(at + NLMSG_FLAGS);
            if (b.getInt(at + NLMSG_SEQ) == seq) {
                if ((flags & NLM_F_DUMP_INTR) != 0) {
                    throw new DumpInterrupted();
                }
                switch (type) {
                    case NLMSG_DONE -> done = true;
                    case NLMSG_ERROR -> {
                        int error = b.getInt(at + NLMSGERR_ERROR);
                        if (error != 0) {
                            throw new SyscallException("RTM_GETLINK", "dump", -error);
                        }
                        done = true; // an ack: nothing more follows
                    }
                    case RTM_NEWLINK -> {
                        sink.accept(link(b.slice(at, length).order(ByteOrder.LITTLE_ENDIAN)));
                        done |= (flags & NLM_F_MULTI) == 0;
                    }
                    default -> { } // nothing else belongs to a link dump
                }
            }
            at += align4(length);
        }
        return done;
    }

    /** Decodes one RTM_NEWLINK/RTM_DELLINK message (header included). */
    static NetLink link(ByteBuffer message) {
        int index = message.getInt(IFI_INDEX);
        boolean up = (message.getInt(IFI_FLAGS) & IFF_UP) != 0;
        String name = null;
        String kind = null;
        for (int at = NLMSG_HDRLEN + IFINFOMSG_LEN; at + RTA_HDRLEN <= message.limit(); ) {
            int length = Short.toUnsignedInt(message.getShort(at));
            if (length < RTA_HDRLEN || at + length > message.limit()) {
                break;
            }
            int type = message.getShort(at + 2) & NLA_TYPE_MASK;
            if (type == IFLA_IFNAME) {
                name = string(message, at + RTA_HDRLEN, length - RTA_HDRLEN);
            } else if (type == IFLA_LINKINFO) {
                kind = infoKind(message, at + RTA_HDRLEN, at + length);
            }
            at += align4(length);
        }
        return new NetLink(index, name, up, kind);
    }

    private static String infoKind(ByteBuffer message, int from, int to) {
        for (int at = from; at + RTA_HDRLEN <= to; ) {
            int length = Short.toUnsignedInt(message.getShort(at));
            if (length < RTA_HDRLEN || at + length > to) {
                return null;
            }
            if ((message.getShort(at + 2) & NLA_TYPE_MASK) == IFLA_INFO_KIND) {
                return string(message, at + RTA_HDRLEN, length - RTA_HDRLEN);
            }
            at += align4(length);
        }
        return null;
    }

    /** A NUL-terminated (or payload-bounded) string attribute. */
    private static String string(ByteBuffer message, int from, int maxLength) {
        int end = from;
        while (end < from + maxLength && message.get(end) != 0) {
            end++;
        }
        byte[] bytes = new byte[end - from];
        message.get(from, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static int align4(int length) {
        return (length + 3) & ~3;
    }
}
