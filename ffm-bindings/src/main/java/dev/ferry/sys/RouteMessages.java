package dev.ferry.sys;

import java.net.Inet4Address;
import java.nio.ByteBuffer;

/**
 * The byte layout of a single route lookup and its answer (linux/rtnetlink.h struct rtmsg,
 * RTA_*): what {@code ip route get DST} sends and prints. The framing is {@link NetlinkMessages}'.
 */
final class RouteMessages {
    static final short RTM_NEWROUTE = 24;
    private static final short RTM_GETROUTE = 26;
    // struct rtmsg { u8 family; u8 dst_len; u8 src_len; u8 tos; u8 table; u8 protocol; u8 scope; u8 type; u32 flags; }
    private static final int RTMSG_LEN = 12;
    private static final int RTM_FAMILY = 0;
    private static final int RTM_DST_LEN = 1;
    private static final int RTA_DST = 1;
    private static final int RTA_OIF = 4;
    private static final int RTA_GATEWAY = 5;
    private static final int RTA_PREFSRC = 7;
    /** A gateway of another family (an IPv4 route via an IPv6 next hop, RFC 5549). */
    private static final int RTA_VIA = 18;

    private RouteMessages() {
    }

    /**
     * RTM_GETROUTE without NLM_F_DUMP: the kernel runs one output lookup (ip_route_output_key)
     * and answers with the resulting route, or with an error such as ENETUNREACH.
     */
    static byte[] lookup(Inet4Address destination, int seq) {
        return new NetlinkMessages.Request(RTM_GETROUTE, NetlinkMessages.NLM_F_REQUEST | NetlinkMessages.NLM_F_ACK, RTMSG_LEN)
                .u8(RTM_FAMILY, NetlinkMessages.AF_INET)
                .u8(RTM_DST_LEN, 32)
                .attribute(RTA_DST, destination.getAddress())
                .build(seq);
    }

    /**
     * Decodes the RTM_NEWROUTE answer. The kernel (rt_fill_info) puts RTA_GATEWAY only when the
     * route uses a gateway, so its absence means on-link.
     */
    static Route route(ByteBuffer message, Inet4Address destination) {
        int[] oif = {0};
        Inet4Address[] gatewayAndSource = new Inet4Address[2];
        boolean[] foreignGateway = {false};
        NetlinkMessages.attributes(message, RTMSG_LEN, (type, at, length) -> {
            switch (type) {
                case RTA_OIF -> oif[0] = message.getInt(at);
                case RTA_GATEWAY -> gatewayAndSource[0] = NetlinkMessages.ipv4(message, at, length);
                case RTA_PREFSRC -> gatewayAndSource[1] = NetlinkMessages.ipv4(message, at, length);
                case RTA_VIA -> foreignGateway[0] = true;
                default -> { } // table, uid, cache info: not needed to reach the next hop
            }
        });
        if (foreignGateway[0]) {
            throw new IllegalStateException("route to " + destination.getHostAddress()
                    + " goes via an IPv6 next hop (RTA_VIA), which Ferry does not resolve");
        }
        return new Route(oif[0], gatewayAndSource[0], gatewayAndSource[1]);
    }
}
