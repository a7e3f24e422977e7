package dev.ferry.sys;

import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Links, routes and neighbor entries over rtnetlink, in the network namespace of the calling
 * thread. Netlink and not /sys/class/net because `ip netns exec` remounts /sys, and an agent
 * must see the devices of the namespace it runs in however it was started.
 *
 * <p>Every request that changes something asks for an ack (NLM_F_ACK); a refusal is a
 * {@link SyscallException} naming the message, its subject and the kernel's errno.
 */
public final class Netlink {
    /** The kernel answers at once; waiting longer means the kernel or the socket is broken. */
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(5);
    /** The table changing during a dump makes the kernel flag it; a retry or two always settles. */
    private static final int DUMP_ATTEMPTS = 5;

    private Netlink() {
    }

    /** Every link of the calling thread's network namespace, in kernel order. */
    public static List<NetLink> links() {
        List<NetLink> links = new ArrayList<>();
        for (ByteBuffer message : dump(LinkMessages::dumpRequest, "RTM_GETLINK")) {
            if (NetlinkMessages.type(message) == LinkMessages.RTM_NEWLINK) {
                links.add(LinkMessages.link(message));
            }
        }
        return List.copyOf(links);
    }

    /**
     * The kernel's route to destination, looked up as {@code ip route get} does (one lookup,
     * policy rules and multipath selection included). A local address resolves to lo.
     *
     * @throws SyscallException when there is no route, e.g. ENETUNREACH ("Network is unreachable")
     */
    public static Route route(Inet4Address destination) {
        try (NetlinkSocket socket = NetlinkSocket.open(0)) {
            for (ByteBuffer message : exchange(socket, RouteMessages.lookup(destination, 1), "RTM_GETROUTE", destination.getHostAddress())) {
                if (NetlinkMessages.type(message) == RouteMessages.RTM_NEWROUTE) {
                    return RouteMessages.route(message, destination);
                }
            }
        }
        throw new IllegalStateException("RTM_GETROUTE(" + destination.getHostAddress() + ") was acknowledged without a route");
    }

    /**
     * Makes the kernel keep the neighbor entry for address on ifindex resolved without traffic:
     * {@code ip neigh replace ADDR dev DEV managed extern_learn proto 70}. Needs kernel 5.16+;
     * older ones ignore NDA_FLAGS_EXT and create an unmanaged entry that nothing resolves.
     *
     * <p>An entry that someone configured is left alone, because the replace would strip
     * NUD_PERMANENT from it and forget its MAC address: a static one (PERMANENT or NOARP), or a
     * managed one without Ferry's protocol. Either already gives bpf_fib_lookup a MAC address
     * (or will). The check and the write are two messages, so an entry an operator configures
     * in between may still be replaced. A dynamic entry (learned from traffic) becomes Ferry's.
     *
     * @return true when Ferry's managed entry is in place, false when a configured entry was left alone
     */
    public static boolean keepNeighborResolved(int ifindex, Inet4Address address) {
        String subject = neighborSubject(ifindex, address);
        try (NetlinkSocket socket = NetlinkSocket.open(0)) {
            NeighborMessages.Entry existing = neighbor(socket, ifindex, address, subject);
            if (existing != null && (existing.isStatic() || (existing.managed() && !existing.ownedByFerry()))) {
                return false;
            }
            if (existing == null || !existing.keptByFerry()) {
                exchange(socket, NeighborMessages.keepManaged(ifindex, address, 2), "RTM_NEWNEIGH", subject);
            }
            return true;
        }
    }

    /**
     * Removes the entry {@link #keepNeighborResolved} made for address on ifindex. Any other entry
     * there (static, someone else's, or learned from traffic) stays; a missing one is no error.
     *
     * @return true when Ferry's entry was there and is gone
     */
    public static boolean forgetNeighbor(int ifindex, Inet4Address address) {
        String subject = neighborSubject(ifindex, address);
        try (NetlinkSocket socket = NetlinkSocket.open(0)) {
            NeighborMessages.Entry existing = neighbor(socket, ifindex, address, subject);
            if (existing == null || !existing.ownedByFerry()) {
                return false;
            }
            try {
                exchange(socket, NeighborMessages.delete(ifindex, address, 2), "RTM_DELNEIGH", subject);
                return true;
            } catch (SyscallException e) {
                if (e.errno() == Libc.ENOENT) {
                    return false; // gone between the look and the delete: the interface went down
                }
                throw e;
            }
        }
    }

    /** Every IPv4 neighbor entry with NTF_EXT_MANAGED in the calling thread's namespace, Ferry's or not. */
    public static List<ManagedNeighbor> managedNeighbors() {
        List<ManagedNeighbor> managed = new ArrayList<>();
        for (ByteBuffer message : dump(NeighborMessages::dumpRequest, "RTM_GETNEIGH")) {
            if (NetlinkMessages.type(message) == NeighborMessages.RTM_NEWNEIGH) {
                NeighborMessages.Entry entry = NeighborMessages.entry(message);
                if (entry.managed() && entry.address() != null) {
                    managed.add(entry.toManaged());
                }
            }
        }
        return List.copyOf(managed);
    }

    /** The entry for address on ifindex, or null when there is none. */
    private static NeighborMessages.Entry neighbor(NetlinkSocket socket, int ifindex, Inet4Address address, String subject) {
        try {
            for (ByteBuffer message : exchange(socket, NeighborMessages.get(ifindex, address, 1), "RTM_GETNEIGH", subject)) {
                if (NetlinkMessages.type(message) == NeighborMessages.RTM_NEWNEIGH) {
                    return NeighborMessages.entry(message);
                }
            }
            return null;
        } catch (SyscallException e) {
            if (e.errno() == Libc.ENOENT) {
                return null;
            }
            throw e;
        }
    }

    private static String neighborSubject(int ifindex, Inet4Address address) {
        return address.getHostAddress() + " ifindex " + ifindex;
    }

    /** A dump on a fresh socket, repeated when the kernel flags it inconsistent. */
    private static List<ByteBuffer> dump(IntFunction<byte[]> request, String function) {
        for (int attempt = 1; ; attempt++) {
            try (NetlinkSocket socket = NetlinkSocket.open(0)) {
                return exchange(socket, request.apply(1), function, "dump");
            } catch (NetlinkMessages.DumpInterrupted e) {
                if (attempt == DUMP_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /** Sends one request and collects the data messages of its answer, up to the ack or NLMSG_DONE. */
    private static List<ByteBuffer> exchange(NetlinkSocket socket, byte[] request, String function, String subject) {
        int seq = NetlinkMessages.seq(request);
        List<ByteBuffer> answer = new ArrayList<>();
        socket.send(request);
        boolean done = false;
        while (!done) {
            if (!socket.awaitReadable(ANSWER_TIMEOUT)) {
                throw new IllegalStateException("no answer to " + function + "(" + subject + ") within " + ANSWER_TIMEOUT);
            }
            done = NetlinkMessages.read(socket.receive(), seq, function, subject, answer::add);
        }
        return answer;
    }
}
