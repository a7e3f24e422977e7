package dev.ferry.sys;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Routes and managed neighbors in a scratch namespace whose v0 (10.99.0.1/24) is wired to v1
 * (10.99.0.2/24) in a second one, which answers ARP; 10.98.0.0/16 is routed via 10.99.0.2.
 * The tests send no traffic: the kernel resolves managed entries by itself.
 */
class NextHopTest {
    private static final Duration RESOLVE_TIMEOUT = Duration.ofSeconds(5);

    @RegisterExtension
    final ScratchNamespace scratch = new ScratchNamespace();
    @RegisterExtension
    final ScratchNamespace peerScratch = new ScratchNamespace();
    private final String ns = scratch.name();
    private final String peer = peerScratch.name();
    private final Inet4Address local = ipv4("10.99.0.1");
    private final Inet4Address neighbor = ipv4("10.99.0.2");
    private int v0;

    @BeforeEach
    void wire() throws Exception {
        Ip.run("-n", ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1", "netns", peer);
        Ip.run("-n", ns, "addr", "add", "10.99.0.1/24", "dev", "v0");
        Ip.run("-n", ns, "link", "set", "v0", "up");
        Ip.run("-n", peer, "addr", "add", "10.99.0.2/24", "dev", "v1");
        Ip.run("-n", peer, "link", "set", "v1", "up");
        Ip.run("-n", ns, "route", "add", "10.98.0.0/16", "via", "10.99.0.2");
        v0 = inNs(Netlink::links).stream().filter(l -> l.name().equals("v0")).findFirst().orElseThrow().index();
    }

    @Test
    void onLinkDestinationIsItsOwnNextHop() throws Exception {
        assertEquals(new Route(v0, null, local), inNs(() -> Netlink.route(neighbor)));
    }

    @Test
    void routedDestinationNamesTheGateway() throws Exception {
        assertEquals(new Route(v0, neighbor, local), inNs(() -> Netlink.route(ipv4("10.98.7.7"))));
    }

    @Test
    void destinationWithoutRouteIsAnErrorThatSaysSo() {
        SyscallException e = assertThrows(SyscallException.class, () -> inNs(() -> Netlink.route(ipv4("203.0.113.9"))));
        assertEquals(101, e.errno(), e.getMessage()); // ENETUNREACH
        assertEquals("RTM_GETROUTE(203.0.113.9): Network is unreachable (errno 101)", e.getMessage());
    }

    @Test
    void managedNeighborResolvesWithoutTrafficAndIsForgotten() throws Exception {
        assertTrue(inNs(() -> Netlink.keepNeighborResolved(v0, neighbor)));

        ManagedNeighbor reachable = awaitState(ManagedNeighbor.State.REACHABLE);
        assertEquals(new ManagedNeighbor(v0, neighbor, ManagedNeighbor.State.REACHABLE, true), reachable);
        String shown = neighShow("10.99.0.2");
        assertTrue(shown.matches("10\\.99\\.0\\.2 dev v0 lladdr \\S+ managed extern_learn REACHABLE proto 70\\s*"), shown);

        assertTrue(inNs(() -> Netlink.keepNeighborResolved(v0, neighbor)), "keeping it again is no change");
        assertEquals(List.of(reachable), inNs(Netlink::managedNeighbors));

        assertTrue(inNs(() -> Netlink.forgetNeighbor(v0, neighbor)));
        assertEquals("", neighShow("10.99.0.2"));
        assertEquals(List.of(), inNs(Netlink::managedNeighbors));
        assertFalse(inNs(() -> Netlink.forgetNeighbor(v0, neighbor)), "a missing entry is no error");
    }

    @Test
    void permanentEntryOfAnOperatorIsLeftAlone() throws Exception {
        Ip.run("-n", ns, "neigh", "add", "10.99.0.3", "dev", "v0", "lladdr", "02:00:00:00:00:03", "nud", "permanent");
        String configured = neighShow("10.99.0.3");

        assertFalse(inNs(() -> Netlink.keepNeighborResolved(v0, ipv4("10.99.0.3"))));
        assertFalse(inNs(() -> Netlink.forgetNeighbor(v0, ipv4("10.99.0.3"))));

        assertEquals("10.99.0.3 dev v0 lladdr 02:00:00:00:00:03 PERMANENT", configured.strip());
        assertEquals(configured, neighShow("10.99.0.3"));
        assertEquals(List.of(), inNs(Netlink::managedNeighbors));
    }

    @Test
    void managedEntryOfAnOperatorIsListedButLeftAlone() throws Exception {
        Ip.run("-n", ns, "neigh", "replace", "10.99.0.2", "dev", "v0", "managed");

        assertFalse(inNs(() -> Netlink.keepNeighborResolved(v0, neighbor)));
        assertFalse(inNs(() -> Netlink.forgetNeighbor(v0, neighbor)));

        ManagedNeighbor theirs = awaitState(ManagedNeighbor.State.REACHABLE);
        assertFalse(theirs.ownedByFerry());
        assertFalse(neighShow("10.99.0.2").contains("proto"), neighShow("10.99.0.2"));
    }

    @Test
    void neighborOnAMissingInterfaceIsAnError() {
        SyscallException e = assertThrows(SyscallException.class, () -> inNs(() -> Netlink.keepNeighborResolved(9999, neighbor)));
        assertEquals(19, e.errno(), e.getMessage()); // ENODEV
        assertTrue(e.getMessage().startsWith("RTM_GETNEIGH(10.99.0.2 ifindex 9999): "), e.getMessage());
    }

    /** Polls managedNeighbors() until the entry for 10.99.0.2 reaches the state. */
    private ManagedNeighbor awaitState(ManagedNeighbor.State state) throws Exception {
        long deadline = System.nanoTime() + RESOLVE_TIMEOUT.toNanos();
        List<ManagedNeighbor> seen;
        do {
            seen = inNs(Netlink::managedNeighbors);
            for (ManagedNeighbor entry : seen) {
                if (entry.address().equals(neighbor) && entry.state() == state) {
                    return entry;
                }
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("10.99.0.2 not " + state + " within " + RESOLVE_TIMEOUT + "; managed entries: " + seen
                + "; ip neigh: " + neighShow("10.99.0.2"));
    }

    private String neighShow(String address) throws Exception {
        return Ip.output("-n", ns, "neigh", "show", address);
    }

    private <T> T inNs(Callable<T> work) throws Exception {
        return NetNs.call(ns, work);
    }

    private static Inet4Address ipv4(String address) {
        try {
            return (Inet4Address) InetAddress.getByName(address);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(address, e);
        }
    }
}
