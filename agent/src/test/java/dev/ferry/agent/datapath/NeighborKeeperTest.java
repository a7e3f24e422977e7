package dev.ferry.agent.datapath;

import dev.ferry.agent.datapath.NeighborKeeper.NextHop;
import dev.ferry.agent.lab.Lab;
import dev.ferry.agent.testing.ManualClock;
import dev.ferry.agent.testing.Privileged;
import dev.ferry.agent.translate.ShardedMap;
import dev.ferry.sys.ManagedNeighbor;
import dev.ferry.sys.NetNs;
import dev.ferry.sys.Netlink;
import dev.ferry.sys.Route;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NeighborKeeperTest {
    private static final Inet4Address NODE_B = ip("192.168.254.12");
    private static final Inet4Address NODE_C = ip("192.168.254.13");
    private static final Inet4Address POD_B1 = ip("10.244.2.10");
    private static final Inet4Address POD_B2 = ip("10.244.2.11");
    private static final Inet4Address POD_C = ip("10.244.3.10");
    private static final Inet4Address UNROUTABLE = ip("10.250.0.1");
    private static final int ETH0 = 2;

    private final FakeKernel kernel = new FakeKernel();
    private final ManualClock clock = new ManualClock(Instant.parse("2025-01-01T00:00:00Z"));
    private final NeighborKeeper keeper = new NeighborKeeper(kernel, clock);
    private final List<LogRecord> warnings = new ArrayList<>();
    private final Logger log = Logger.getLogger(NeighborKeeper.class.getName());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                warnings.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureWarnings() {
        log.addHandler(capture);
        kernel.routes.put(POD_B1, new Route(ETH0, NODE_B, null));
        kernel.routes.put(POD_B2, new Route(ETH0, NODE_B, null));
        kernel.routes.put(POD_C, new Route(ETH0, NODE_C, null));
        kernel.routes.put(NODE_C, new Route(ETH0, null, null));
    }

    @AfterEach
    void stopCapturing() {
        log.removeHandler(capture);
    }

    @Test
    void keepsOneEntryPerNextHopAndForgetsThoseNoLongerNeeded() {
        keeper.keep(backends(POD_B1, POD_B2, POD_C));
        assertEquals(Set.of(hop(NODE_B), hop(NODE_C)), kernel.entries);

        keeper.keep(backends(POD_C));
        assertEquals(Set.of(hop(NODE_C)), kernel.entries);

        keeper.keep(backends(NODE_C)); // on-link: the backend is its own next hop, the same entry
        assertEquals(Set.of(hop(NODE_C)), kernel.entries);

        keeper.keep(backends());
        assertEquals(Set.of(), kernel.entries);
        assertEquals(List.of(), warnings);
    }

    @Test
    void routesAreCachedUntilTheSetChangesOrTheyAreThirtySecondsOld() {
        keeper.keep(backends(POD_B1));
        keeper.keep(backends(POD_B1));
        clock.advance(NeighborKeeper.REFRESH.minusSeconds(1));
        keeper.keep(backends(POD_B1));
        assertEquals(List.of("route 10.244.2.10", "keep 192.168.254.12 ifindex 2"), kernel.calls);

        kernel.calls.clear();
        keeper.keep(backends(POD_B1, POD_B2));
        assertEquals(List.of("route 10.244.2.11"), kernel.calls, "only the new address is looked up; its hop is kept already");

        kernel.calls.clear();
        kernel.routes.put(POD_B1, new Route(ETH0, NODE_C, null)); // b's pods moved behind c
        kernel.routes.put(POD_B2, new Route(ETH0, NODE_C, null));
        clock.advance(Duration.ofSeconds(1));
        keeper.keep(backends(POD_B1, POD_B2));
        assertEquals(Set.of(hop(NODE_C)), kernel.entries, "every route is looked up again after 30 s");
        assertTrue(kernel.calls.contains("forget 192.168.254.12 ifindex 2"), kernel.calls.toString());
    }

    @Test
    void aNextHopStaysWhileAnyOfItsBackendsRemains() {
        keeper.keep(backends(POD_B1, POD_B2));
        keeper.keep(backends(POD_B2));
        assertEquals(Set.of(hop(NODE_B)), kernel.entries);
        assertFalse(kernel.calls.stream().anyMatch(c -> c.startsWith("forget")), kernel.calls.toString());

        keeper.keep(backends());
        assertEquals(Set.of(), kernel.entries);
    }

    @Test
    void aBackendWithoutRouteIsTriedAgainOnTheNextPassThatDoesWork() {
        keeper.keep(backends(POD_B1, UNROUTABLE));
        assertEquals(Set.of(hop(NODE_B)), kernel.entries);

        kernel.routes.put(UNROUTABLE, new Route(ETH0, NODE_C, null)); // its route appeared
        keeper.keep(backends(POD_B1, UNROUTABLE, POD_B2)); // within 30 s, one backend more
        assertEquals(Set.of(hop(NODE_B), hop(NODE_C)), kernel.entries);
        assertEquals(1, warnings.size(), warnings.stream().map(LogRecord::getMessage).toList().toString());
    }

    @Test
    void refreshAssertsEveryEntryAgainAfterTheKernelFlushedThem() {
        keeper.keep(backends(POD_B1));
        kernel.entries.clear(); // eth0 went down and up
        keeper.keep(backends(POD_B1));
        assertEquals(Set.of(), kernel.entries, "within 30 s an unchanged set costs nothing");
        clock.advance(NeighborKeeper.REFRESH);
        keeper.keep(backends(POD_B1));
        assertEquals(Set.of(hop(NODE_B)), kernel.entries);
    }

    @Test
    void oneFailingAddressIsWarnedAboutOnceAndDoesNotStopTheOthers() {
        kernel.failingKeeps.add(hop(NODE_C));
        for (int pass = 0; pass < 3; pass++) {
            clock.advance(NeighborKeeper.REFRESH);
            keeper.keep(backends(UNROUTABLE, POD_B1, POD_C));
        }
        assertEquals(Set.of(hop(NODE_B)), kernel.entries);
        assertEquals(2, warnings.size(), warnings.stream().map(LogRecord::getMessage).toList().toString());
        assertTrue(warnings.get(0).getMessage().contains("10.250.0.1"), warnings.get(0).getMessage());
        assertTrue(warnings.get(1).getMessage().contains("192.168.254.13"), warnings.get(1).getMessage());

        kernel.failingKeeps.clear();
        clock.advance(NeighborKeeper.REFRESH);
        keeper.keep(backends(UNROUTABLE, POD_B1, POD_C));
        assertEquals(Set.of(hop(NODE_B), hop(NODE_C)), kernel.entries, "retried on the next pass that does work");
    }

    @Test
    void neverTouchesEntriesItDidNotMake() {
        kernel.configured.add(hop(NODE_B)); // an operator's PERMANENT entry for b
        keeper.keep(backends(POD_B1, POD_C));
        keeper.keep(backends());
        assertFalse(kernel.calls.contains("forget 192.168.254.12 ifindex 2"), kernel.calls.toString());
        assertEquals(List.of(), warnings);
    }

    @Test
    void prunesEntriesLeftByAnEarlierRun() {
        kernel.entries.add(hop(NODE_C)); // Ferry's mark, made before a restart
        keeper.keep(backends(POD_B1));
        assertEquals(Set.of(hop(NODE_B)), kernel.entries);
    }

    @Test
    void neverThrows() {
        kernel.broken = true;
        keeper.keep(backends(POD_B1));
        clock.advance(NeighborKeeper.REFRESH);
        keeper.keep(backends(POD_B1, POD_C));
        assertEquals(3, warnings.size(), "adoption once, each next hop once: "
                + warnings.stream().map(LogRecord::getMessage).toList());
    }

    /** Node a's agent keeps node b's fabric address resolved for b's pod, in real namespaces. */
    @Test
    void keepsTheNextHopOfARemotePodResolvedInALab() throws Exception {
        Privileged.require();
        try (Lab lab = Lab.builder().node("a", "10.244.1.0/24").node("b", "10.244.2.0/24")
                .pod("b", "p", "10.244.2.10").build()) {
            String nodeA = lab.nodeNs("a");
            Inet4Address nodeB = ip(lab.nodeIp("b"));
            ExecutorService reconciler = Executors.newSingleThreadExecutor(task -> Thread.ofPlatform()
                    .name("reconciler-" + nodeA).unstarted(() -> {
                        NetNs.enter(nodeA);
                        task.run();
                    }));
            try {
                NeighborKeeper labKeeper = on(reconciler, NeighborKeeper::new);
                on(reconciler, () -> {
                    labKeeper.keep(backends(ip(lab.podIp("p")), UNROUTABLE));
                    return null;
                });

                ManagedNeighbor entry = awaitReachable(reconciler, nodeB);
                assertTrue(entry.ownedByFerry(), entry.toString());
                String shown = lab.exec(nodeA, "ip", "neigh", "show", nodeB.getHostAddress());
                assertTrue(shown.contains(" dev eth0 ") && shown.contains(" managed "), shown);
                assertEquals(1, on(reconciler, Netlink::managedNeighbors).size(), "nothing for the unroutable backend");

                on(reconciler, () -> {
                    labKeeper.keep(backends());
                    return null;
                });
                assertEquals("", lab.exec(nodeA, "ip", "neigh", "show", nodeB.getHostAddress()));

                // ferry uninstall: Ferry's entries go, an operator's managed entry stays.
                lab.exec(nodeA, "ip", "neigh", "replace", "192.168.254.99", "dev", "eth0", "managed");
                on(reconciler, () -> {
                    new NeighborKeeper().keep(backends(ip(lab.podIp("p"))));
                    return null;
                });
                assertEquals(1, (int) on(reconciler, NeighborKeeper::forgetAll));
                List<ManagedNeighbor> left = on(reconciler, Netlink::managedNeighbors);
                assertEquals(List.of(ip("192.168.254.99")), left.stream().map(ManagedNeighbor::address).toList());
            } finally {
                reconciler.shutdownNow();
                assertTrue(reconciler.awaitTermination(5, TimeUnit.SECONDS));
            }
        }
    }

    private static ManagedNeighbor awaitReachable(ExecutorService reconciler, Inet4Address address) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        List<ManagedNeighbor> seen;
        do {
            seen = on(reconciler, Netlink::managedNeighbors);
            Optional<ManagedNeighbor> reachable = seen.stream()
                    .filter(n -> n.address().equals(address) && n.state() == ManagedNeighbor.State.REACHABLE)
                    .findFirst();
            if (reachable.isPresent()) {
                return reachable.get();
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        throw new AssertionError(address.getHostAddress() + " did not become a reachable managed neighbor: " + seen);
    }

    private static <T> T on(ExecutorService reconciler, Callable<T> work) throws Exception {
        return reconciler.submit(work).get(10, TimeUnit.SECONDS);
    }

    /** Remote backends as the desired state hands them on: address -> how many Services use it. */
    private static ShardedMap<Inet4Address, Integer> backends(Inet4Address... addresses) {
        ShardedMap.Editor<Inet4Address, Integer> editor = ShardedMap.<Inet4Address, Integer>empty().edit();
        for (Inet4Address address : addresses) editor.put(address, 1);
        return editor.done();
    }

    private static NextHop hop(Inet4Address address) {
        return new NextHop(ETH0, address);
    }

    private static Inet4Address ip(String address) {
        try {
            return (Inet4Address) InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(address, e);
        }
    }

    /** Routes from a table, Ferry's entries in a set, failures on demand; records every call. */
    private static final class FakeKernel implements NeighborKeeper.Kernel {
        final Map<Inet4Address, Route> routes = new HashMap<>();
        final Set<NextHop> entries = new HashSet<>();
        final Set<NextHop> configured = new HashSet<>();
        final Set<NextHop> failingKeeps = new HashSet<>();
        final List<String> calls = new ArrayList<>();
        boolean broken;

        @Override
        public Route route(Inet4Address destination) {
            calls.add("route " + destination.getHostAddress());
            Route route = routes.get(destination);
            if (route == null) {
                throw new IllegalStateException("RTM_GETROUTE(" + destination.getHostAddress() + "): Network is unreachable");
            }
            return route;
        }

        @Override
        public boolean keep(NextHop hop) {
            calls.add("keep " + hop);
            if (broken || failingKeeps.contains(hop)) {
                throw new IllegalStateException("RTM_NEWNEIGH(" + hop + "): No such device");
            }
            if (configured.contains(hop)) {
                return false;
            }
            entries.add(hop);
            return true;
        }

        @Override
        public void forget(NextHop hop) {
            calls.add("forget " + hop);
            entries.remove(hop);
        }

        @Override
        public Set<NextHop> entriesOwnedByFerry() {
            if (broken) {
                throw new IllegalStateException("RTM_GETNEIGH(dump): Operation not permitted");
            }
            return Set.copyOf(entries);
        }
    }
}
