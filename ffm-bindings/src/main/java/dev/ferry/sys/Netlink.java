package dev.ferry.sys;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Link enumeration over rtnetlink, in the network namespace of the calling thread. Netlink and
 * not /sys/class/net because `ip netns exec` remounts /sys, and an agent must see the devices of
 * the namespace it runs in however it was started.
 */
public final class Netlink {
    /** A dump is answered at once; waiting longer means the kernel or the socket is broken. */
    private static final Duration DUMP_TIMEOUT = Duration.ofSeconds(5);
    /** Links changing during the dump make the kernel flag it; a retry or two always settles. */
    private static final int DUMP_ATTEMPTS = 5;

    private Netlink() {
    }

    /** Every link of the calling thread's network namespace, in kernel order. */
    public static List<NetLink> links() {
        for (int attempt = 1; ; attempt++) {
            try {
                return dumpLinks();
            } catch (LinkMessages.DumpInterrupted e) {
                if (attempt == DUMP_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    private static List<NetLink> dumpLinks() {
        int seq = 1;
        List<NetLink> links = new ArrayList<>();
        try (NetlinkSocket socket = NetlinkSocket.open(0)) {
            socket.send(LinkMessages.dumpRequest(seq));
            boolean done = false;
            while (!done) {
                if (!socket.awaitReadable(DUMP_TIMEOUT)) {
                    throw new IllegalStateException("no answer to RTM_GETLINK within " + DUMP_TIMEOUT);
                }
                ByteBuffer datagram = socket.receive();
                done = LinkMessages.readDump(datagram, seq, links::add);
            }
        }
        return List.copyOf(links);
    }
}
