package dev.ferry.sys;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * What every rtnetlink codec shares (linux/netlink.h, linux/rtnetlink.h): the message header,
 * attributes, and how an answer ends. {@link LinkMessages}, {@link RouteMessages} and
 * {@link NeighborMessages} add the family headers. Netlink is in host byte order; Ferry runs on
 * little-endian hosts (x86-64, arm64), checked once below rather than assumed silently.
 */
final class NetlinkMessages {
    static {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new ExceptionInInitializerError("netlink codec assumes a little-endian host");
        }
    }

    // struct nlmsghdr { u32 len; u16 type; u16 flags; u32 seq; u32 pid; }
    static final int NLMSG_HDRLEN = 16;
    private static final int NLMSG_LEN = 0;
    private static final int NLMSG_TYPE = 4;
    private static final int NLMSG_FLAGS = 6;
    private static final int NLMSG_SEQ = 8;
    // NLMSG_ERROR: struct nlmsgerr { i32 error; struct nlmsghdr msg; }; NLMSG_DONE: i32 error. Right after the header.
    private static final int ERROR_CODE = NLMSG_HDRLEN;
    // struct rtattr { u16 len; u16 type; } then the payload, padded to 4 bytes
    private static final int RTA_HDRLEN = 4;
    /** rtattr types may carry NLA_F_NESTED / NLA_F_NET_BYTEORDER in the top bits. */
    private static final int NLA_TYPE_MASK = 0x3fff;

    private static final short NLMSG_ERROR = 2;
    private static final short NLMSG_DONE = 3;
    static final int NLM_F_REQUEST = 0x1;
    /** Asks for an NLMSG_ERROR with error 0 when a request succeeded, so success is seen, not assumed. */
    static final int NLM_F_ACK = 0x4;
    private static final int NLM_F_DUMP_INTR = 0x10;
    static final int NLM_F_REPLACE = 0x100;
    static final int NLM_F_CREATE = 0x400;
    static final int NLM_F_DUMP = 0x300;

    static final int AF_UNSPEC = 0;
    static final int AF_INET = 2;

    private NetlinkMessages() {
    }

    /** Thrown when the kernel marks a dump inconsistent because the table changed while it ran. */
    static final class DumpInterrupted extends RuntimeException {
        DumpInterrupted(String function) {
            super(function + " dump interrupted by a concurrent change", null, false, false);
        }
    }

    /** One request: nlmsghdr, the family header (ifinfomsg, rtmsg, ndmsg…), then attributes. */
    static final class Request {
        /** Every request Ferry sends is a header and a few small attributes. */
        private static final int CAPACITY = 256;

        private final ByteBuffer b = ByteBuffer.allocate(CAPACITY).order(ByteOrder.LITTLE_ENDIAN);

        /** familyHeaderLength bytes of zeros follow the nlmsghdr; set fields with the u8/u16/s32 methods. */
        Request(int type, int flags, int familyHeaderLength) {
            b.putShort(NLMSG_TYPE, (short) type).putShort(NLMSG_FLAGS, (short) flags);
            b.position(NLMSG_HDRLEN + familyHeaderLength);
        }

        /** A byte of the family header, at an offset counted from its start. */
        Request u8(int offset, int value) {
            b.put(NLMSG_HDRLEN + offset, (byte) value);
            return this;
        }

        Request u16(int offset, int value) {
            b.putShort(NLMSG_HDRLEN + offset, (short) value);
            return this;
        }

        Request s32(int offset, int value) {
            b.putInt(NLMSG_HDRLEN + offset, value);
            return this;
        }

        Request attribute(int type, byte[] payload) {
            int start = b.position();
            b.putShort((short) (RTA_HDRLEN + payload.length)).putShort((short) type).put(payload);
            b.position(start + align4(RTA_HDRLEN + payload.length));
            return this;
        }

        Request u8Attribute(int type, int value) {
            return attribute(type, new byte[] {(byte) value});
        }

        Request u32Attribute(int type, int value) {
            return attribute(type, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array());
        }

        byte[] build(int seq) {
            b.putInt(NLMSG_LEN, b.position()).putInt(NLMSG_SEQ, seq);
            byte[] bytes = new byte[b.position()];
            b.get(0, bytes);
            return bytes;
        }
    }

    /**
     * Reads one datagram of the answer to request seq, handing each data message (header
     * included, little-endian) to sink. Messages of other requests are skipped.
     *
     * @return true when the answer is complete: the ack (NLMSG_ERROR with error 0), or NLMSG_DONE ending a dump
     * @throws SyscallException when the kernel refused the request; function and subject say which
     * @throws DumpInterrupted  when a dump must be repeated
     */
    static boolean read(ByteBuffer datagram, int seq, String function, String subject, Consumer<ByteBuffer> sink) {
        ByteBuffer b = datagram.order(ByteOrder.LITTLE_ENDIAN);
        boolean done = false;
        for (int at = 0; at + NLMSG_HDRLEN <= b.limit(); ) {
            int length = b.getInt(at + NLMSG_LEN);
            if (length < NLMSG_HDRLEN || at + length > b.limit()) {
                throw new IllegalStateException("truncated netlink message at offset " + at);
            }
            if (b.getInt(at + NLMSG_SEQ) == seq) {
                if ((b.getShort(at + NLMSG_FLAGS) & NLM_F_DUMP_INTR) != 0) {
                    throw new DumpInterrupted(function);
                }
                short type = b.getShort(at + NLMSG_TYPE);
                if (type == NLMSG_ERROR || type == NLMSG_DONE) {
                    int error = length >= ERROR_CODE + 4 ? b.getInt(at + ERROR_CODE) : 0;
                    if (error < 0) {
                        throw new SyscallException(function, subject, -error);
                    }
                    done = true;
                } else {
                    sink.accept(b.slice(at, length).order(ByteOrder.LITTLE_ENDIAN));
                }
            }
            at += align4(length);
        }
        return done;
    }

    static short type(ByteBuffer message) {
        return message.getShort(NLMSG_TYPE);
    }

    /** The sequence number a built request carries, which its answer repeats. */
    static int seq(byte[] request) {
        return ByteBuffer.wrap(request).order(ByteOrder.LITTLE_ENDIAN).getInt(NLMSG_SEQ);
    }

    /** Receives each attribute: its type without the NLA_F_* bits, where its payload starts, how long it is. */
    @FunctionalInterface
    interface AttributeVisitor {
        void visit(int type, int payloadAt, int payloadLength);
    }

    /** Walks the attributes after a family header of the given length to the end of the message. */
    static void attributes(ByteBuffer message, int familyHeaderLength, AttributeVisitor visitor) {
        attributes(message, NLMSG_HDRLEN + familyHeaderLength, message.limit(), visitor);
    }

    /** Walks the attributes in [from, to), e.g. inside a nested one; a truncated attribute ends the walk. */
    static void attributes(ByteBuffer message, int from, int to, AttributeVisitor visitor) {
        for (int at = from; at + RTA_HDRLEN <= to; ) {
            int length = Short.toUnsignedInt(message.getShort(at));
            if (length < RTA_HDRLEN || at + length > to) {
                return;
            }
            visitor.visit(message.getShort(at + 2) & NLA_TYPE_MASK, at + RTA_HDRLEN, length - RTA_HDRLEN);
            at += align4(length);
        }
    }

    /** A field of the family header, at an offset counted from its start. */
    static int familyU8(ByteBuffer message, int offset) {
        return Byte.toUnsignedInt(message.get(NLMSG_HDRLEN + offset));
    }

    static int familyU16(ByteBuffer message, int offset) {
        return Short.toUnsignedInt(message.getShort(NLMSG_HDRLEN + offset));
    }

    static int familyS32(ByteBuffer message, int offset) {
        return message.getInt(NLMSG_HDRLEN + offset);
    }

    /** A NUL-terminated (or payload-bounded) string attribute. */
    static String string(ByteBuffer message, int at, int maxLength) {
        int end = at;
        while (end < at + maxLength && message.get(end) != 0) {
            end++;
        }
        byte[] bytes = new byte[end - at];
        message.get(at, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** An IPv4 address attribute (network byte order, whatever the host's). */
    static Inet4Address ipv4(ByteBuffer message, int at, int length) {
        if (length != 4) {
            throw new IllegalStateException("an IPv4 address attribute of " + length + " bytes");
        }
        byte[] bytes = new byte[4];
        message.get(at, bytes);
        try {
            return (Inet4Address) InetAddress.getByAddress(bytes);
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private static int align4(int length) {
        return (length + 3) & ~3;
    }
}
