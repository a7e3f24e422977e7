package dev.ferry.agent.datapath;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Builds whole Ethernet/IPv4/TCP|UDP|ICMP frames with correct checksums, for datapath tables.
 * Every setter returns a copy, so a table can derive the expected packet from the input one:
 * {@code in.dst("10.244.1.11", 8080)}.
 */
public final class Packet implements Cloneable {
    public static final int FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;
    public static final int TCP = 6, UDP = 17, ICMP = 1;

    private static final byte[] POD_MAC = HexFormat.of().parseHex("0a0000000001");
    private static final byte[] HOST_MAC = HexFormat.of().parseHex("0a0000000002");

    private byte[] srcMac = POD_MAC, dstMac = HOST_MAC, src, dst, ipOptions = new byte[0], payload = new byte[0], rawL4;
    private int etherType = 0x0800, proto, ttl = 64, id = 0x1234, tos, fragOffset, sport, dport, tcpFlags,
            window = 65535;
    private boolean moreFragments, dontFragment, udpZeroChecksum;
    private long seq, ack;

    private Packet() {
    }

    public static Packet tcp(String src, int sport, String dst, int dport, int flags) {
        Packet p = new Packet();
        p.proto = TCP;
        p.src = ip(src);
        p.dst = ip(dst);
        p.sport = sport;
        p.dport = dport;
        p.tcpFlags = flags;
        p.seq = 1000;
        p.ack = (flags & ACK) != 0 ? 5000 : 0;
        return p;
    }

    public static Packet udp(String src, int sport, String dst, int dport) {
        Packet p = new Packet();
        p.proto = UDP;
        p.src = ip(src);
        p.dst = ip(dst);
        p.sport = sport;
        p.dport = dport;
        p.payload = "hello".getBytes();
        return p;
    }

    /** An IPv4 packet whose L4 part is given verbatim (ICMP, truncated headers...). */
    public static Packet raw(String src, String dst, int proto, byte[] l4) {
        Packet p = new Packet();
        p.proto = proto;
        p.src = ip(src);
        p.dst = ip(dst);
        p.rawL4 = l4.clone();
        return p;
    }

    private Packet copy(java.util.function.Consumer<Packet> change) {
        try {
            Packet p = (Packet) clone();
            change.accept(p);
            return p;
        } catch (CloneNotSupportedException e) {
            throw new AssertionError(e);
        }
    }

    public Packet src(String ip, int port) {
        return copy(p -> {
            p.src = ip(ip);
            p.sport = port;
        });
    }

    public Packet dst(String ip, int port) {
        return copy(p -> {
            p.dst = ip(ip);
            p.dport = port;
        });
    }

    public Packet payload(byte[] bytes) {
        return copy(p -> p.payload = bytes.clone());
    }

    public Packet ipOptions(byte[] options) {
        return copy(p -> p.ipOptions = options.clone());
    }

    public Packet udpZeroChecksum() {
        return copy(p -> p.udpZeroChecksum = true);
    }

    public Packet swapMacs() {
        return copy(p -> {
            p.srcMac = dstMac;
            p.dstMac = srcMac;
        });
    }

    /** Source and destination MAC, as hex ("0a0000000001"). */
    public Packet macs(String src, String dst) {
        return copy(p -> {
            p.srcMac = HexFormat.of().parseHex(src);
            p.dstMac = HexFormat.of().parseHex(dst);
        });
    }

    public Packet ttl(int ttl) {
        return copy(p -> p.ttl = ttl);
    }

    public Packet etherType(int type) {
        return copy(p -> p.etherType = type);
    }

    public Packet seq(long seq, long ack) {
        return copy(p -> {
            p.seq = seq;
            p.ack = ack;
        });
    }

    /** IP header fields of packets the datapath builds itself (rejects): id, TOS, DF, TTL. */
    public Packet ipHeader(int id, int tos, boolean dontFragment) {
        return copy(p -> {
            p.id = id;
            p.tos = tos;
            p.dontFragment = dontFragment;
        });
    }

    public Packet window(int window) {
        return copy(p -> p.window = window);
    }

    /** The L4 segment (header + payload) with its checksum, as it sits after the IP header. */
    public byte[] l4() {
        if (rawL4 != null) return rawL4.clone();
        ByteBuffer b;
        if (proto == TCP) {
            b = ByteBuffer.allocate(20 + payload.length);
            b.putShort((short) sport).putShort((short) dport).putInt((int) seq).putInt((int) ack)
                    .put((byte) (5 << 4)).put((byte) tcpFlags).putShort((short) window).putShort((short) 0)
                    .putShort((short) 0).put(payload);
            b.putShort(16, (short) l4Checksum(b.array()));
        } else {
            b = ByteBuffer.allocate(8 + payload.length);
            b.putShort((short) sport).putShort((short) dport).putShort((short) (8 + payload.length)).putShort((short) 0)
                    .put(payload);
            int sum = l4Checksum(b.array());
            if (!udpZeroChecksum) b.putShort(6, (short) (sum == 0 ? 0xffff : sum));
        }
        return b.array();
    }

    private int l4Checksum(byte[] segment) {
        ByteBuffer pseudo = ByteBuffer.allocate(12 + segment.length);
        pseudo.put(src).put(dst).put((byte) 0).put((byte) proto).putShort((short) segment.length).put(segment);
        return checksum(pseudo.array(), 0, pseudo.capacity());
    }

    /** The whole frame. */
    public byte[] bytes() {
        return frame(l4(), fragOffset, moreFragments);
    }

    /**
     * This datagram split into IP fragments at {@code firstLength} bytes of L4 data (a multiple
     * of 8): the first carries the L4 header, the second only data.
     */
    public List<byte[]> fragments(int firstLength) {
        byte[] l4 = l4();
        List<byte[]> out = new ArrayList<>();
        out.add(frame(java.util.Arrays.copyOfRange(l4, 0, firstLength), 0, true));
        out.add(frame(java.util.Arrays.copyOfRange(l4, firstLength, l4.length), firstLength / 8, false));
        return out;
    }

    private byte[] frame(byte[] l4, int offsetUnits, boolean mf) {
        if (ipOptions.length % 4 != 0) throw new IllegalArgumentException("IP options must be padded to 4 bytes");
        int ihl = 5 + ipOptions.length / 4;
        ByteBuffer ipHeader = ByteBuffer.allocate(ihl * 4);
        ipHeader.put((byte) (0x40 | ihl)).put((byte) tos).putShort((short) (ihl * 4 + l4.length)).putShort((short) id)
                .putShort((short) ((dontFragment ? 0x4000 : 0) | (mf ? 0x2000 : 0) | offsetUnits)).put((byte) ttl).put((byte) proto)
                .putShort((short) 0).put(src).put(dst).put(ipOptions);
        ipHeader.putShort(10, (short) checksum(ipHeader.array(), 0, ihl * 4));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(dstMac);
        out.writeBytes(srcMac);
        out.write(etherType >> 8);
        out.write(etherType);
        out.writeBytes(ipHeader.array());
        out.writeBytes(l4);
        return out.toByteArray();
    }

    /** RFC 1071 ones' complement sum, folded and inverted. */
    public static int checksum(byte[] data, int from, int length) {
        long sum = 0;
        for (int i = 0; i < length; i += 2) {
            int hi = data[from + i] & 0xff;
            int lo = i + 1 < length ? data[from + i + 1] & 0xff : 0;
            sum += (hi << 8) | lo;
        }
        while ((sum >> 16) != 0) sum = (sum & 0xffff) + (sum >> 16);
        return (int) (~sum & 0xffff);
    }

    static byte[] ip(String s) {
        try {
            return InetAddress.getByName(s).getAddress();
        } catch (Exception e) {
            throw new IllegalArgumentException(s, e);
        }
    }

    /** Readable one-line summary for assertion messages. */
    public static String describe(byte[] frame) {
        if (frame.length < 34) return "frame[" + frame.length + "] " + HexFormat.of().formatHex(frame);
        ByteBuffer b = ByteBuffer.wrap(frame);
        int ihl = (b.get(14) & 0x0f) * 4;
        int proto = b.get(23) & 0xff;
        String s = ip(frame, 26) + " > " + ip(frame, 30) + " proto " + proto;
        if ((proto == TCP || proto == UDP) && frame.length >= 14 + ihl + 4) {
            s = ip(frame, 26) + ":" + (b.getShort(14 + ihl) & 0xffff) + " > " + ip(frame, 30) + ":"
                    + (b.getShort(16 + ihl) & 0xffff) + (proto == TCP ? " tcp" : " udp");
        }
        return s + " len " + frame.length + " " + HexFormat.of().formatHex(frame);
    }

    private static String ip(byte[] f, int at) {
        return (f[at] & 0xff) + "." + (f[at + 1] & 0xff) + "." + (f[at + 2] & 0xff) + "." + (f[at + 3] & 0xff);
    }
}
