package dev.ferry.agent.datapath;

import dev.ferry.agent.translate.ShardedMap;
import dev.ferry.sys.ManagedNeighbor;
import dev.ferry.sys.Netlink;
import dev.ferry.sys.Route;

import java.net.Inet4Address;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Keeps the next hops of backends on other nodes resolved, so that XDP's bpf_fib_lookup finds
 * their MAC address instead of answering BPF_FIB_LKUP_RET_NO_NEIGH (XDP can not send ARP, so the
 * packet would be dropped). Each next hop (the route's gateway, or the backend itself when it is
 * on-link) becomes a managed neighbor entry, which the kernel (5.16+) resolves and refreshes
 * without traffic; entries no backend needs any more are removed. Cilium does the same.
 *
 * <p>Works in the calling thread's network namespace. Call {@link #keep} from one thread, on
 * every reconcile pass and at least every {@link #REFRESH}: an unchanged set within that time
 * costs nothing; a changed one costs what changed (the shards of the {@link ShardedMap} that
 * differ, a route lookup per new address, a count per next hop), not every backend. With
 * 90,000 remote backends (10,000 external Services of 10 endpoints) one change took 3-5 ms
 * when each pass walked them all; the translator's edit and this now take 0.2 ms (C1, as the
 * agent runs). Every {@link #REFRESH} all routes are looked up again and every entry is
 * asserted again (an interface going down flushes them). It never throws; a failing address or
 * next hop is logged once and retried on the next pass that does work.
 *
 * <p>It removes only entries it made: they carry Ferry's NDA_PROTOCOL ({@code proto 70} in
 * {@code ip neigh}), which is also how entries left by an earlier run of the agent are found and
 * pruned. An entry an operator configured (PERMANENT, NOARP, or managed without that mark) is
 * never changed or removed.
 */
public final class NeighborKeeper {
    private static final System.Logger LOG = System.getLogger(NeighborKeeper.class.getName());
    /** How long a route lookup is trusted, and how often entries are asserted again. */
    public static final Duration REFRESH = Duration.ofSeconds(30);

    /** Where a backend's packets go first: a neighbor entry on an interface. */
    record NextHop(int ifindex, Inet4Address address) {
        static NextHop of(Inet4Address destination, Route route) {
            return new NextHop(route.oif(), route.gateway() != null ? route.gateway() : destination);
        }

        @Override
        public String toString() {
            return address.getHostAddress() + " ifindex " + ifindex;
        }
    }

    /** The kernel as the keeper uses it; netlink in production, a fake in unit tests. */
    interface Kernel {
        Route route(Inet4Address destination);

        /** @return false when a configured entry is in the way and was left alone */
        boolean keep(NextHop hop);

        void forget(NextHop hop);

        /** Managed entries with Ferry's mark, from this run or an earlier one. */
        Set<NextHop> entriesOwnedByFerry();
    }

    private static final Kernel NETLINK = new Kernel() {
        @Override
        public Route route(Inet4Address destination) {
            return Netlink.route(destination);
        }

        @Override
        public boolean keep(NextHop hop) {
            return Netlink.keepNeighborResolved(hop.ifindex(), hop.address());
        }

        @Override
        public void forget(NextHop hop) {
            Netlink.forgetNeighbor(hop.ifindex(), hop.address());
        }

        @Override
        public Set<NextHop> entriesOwnedByFerry() {
            return Netlink.managedNeighbors().stream()
                    .filter(ManagedNeighbor::ownedByFerry)
                    .map(n -> new NextHop(n.ifindex(), n.address()))
                    .collect(Collectors.toSet());
        }
    };

    private final Kernel kernel;
    private final InstantSource clock;
    /** Route cache: backend → its next hop; emptied every REFRESH. */
    private final Map<Inet4Address, NextHop> nextHops = new HashMap<>();
    /** Next hop → how many backends in nextHops go through it: the entries wanted. */
    private final Map<NextHop, Integer> wanted = new HashMap<>();
    /** Backends whose route lookup failed, tried again on every pass that does work. */
    private final Set<Inet4Address> unresolved = new HashSet<>();
    /** Entries this keeper made (or found from an earlier run), the only ones it removes. */
    private final Set<NextHop> kept = new HashSet<>();
    /** Next hops with an entry someone configured, reported once. */
    private final Set<NextHop> configured = new HashSet<>();
    /** Backends and next hops whose failure was logged; cleared when they succeed. */
    private final Set<Object> warned = new HashSet<>();
    private ShardedMap<Inet4Address, Integer> backends = ShardedMap.empty();
    private Instant refreshAt = Instant.MIN;
    private boolean adopted;
    private boolean adoptionWarned;

    /** A keeper working through netlink in the calling thread's network namespace. */
    public NeighborKeeper() {
        this(NETLINK, InstantSource.system());
    }

    NeighborKeeper(Kernel kernel, InstantSource clock) {
        this.kernel = kernel;
        this.clock = clock;
    }

    /** Keeps exactly the next hops of remoteBackends (its keys; the values are not read) resolved. Never throws. */
    public void keep(ShardedMap<Inet4Address, Integer> remoteBackends) {
        try {
            Instant now = clock.instant();
            boolean refresh = !now.isBefore(refreshAt);
            // The desired state hands on the same instance while none changed.
            if (!refresh && remoteBackends == backends) {
                return;
            }
            if (refresh) {
                nextHops.clear();
                wanted.clear();
                unresolved.clear();
                refreshAt = now.plus(REFRESH);
                remoteBackends.keySet().forEach(this::add);
            } else {
                List<Inet4Address> retry = List.copyOf(unresolved);
                unresolved.clear();
                remoteBackends.changesSince(backends, (address, before, after) -> {
                    if (before == null) add(address);
                    else if (after == null) drop(address);
                });
                retry.stream().filter(remoteBackends::containsKey).forEach(this::add);
            }
            backends = remoteBackends;
            adoptEarlierEntries();
            for (NextHop hop : wanted.keySet()) {
                if (refresh || !kept.contains(hop)) {
                    hold(hop);
                }
            }
            for (NextHop hop : List.copyOf(kept)) {
                if (!wanted.containsKey(hop)) {
                    release(hop);
                }
            }
            configured.retainAll(wanted.keySet());
            warned.removeIf(key -> !backends.containsKey(key) && !wanted.containsKey(key) && !kept.contains(key));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "keeping next-hop neighbors resolved: " + e, e);
        }
    }

    /** A backend to keep: its route looked up (or remembered as failing) and its next hop counted. */
    private void add(Inet4Address address) {
        NextHop hop;
        try {
            hop = NextHop.of(address, kernel.route(address));
        } catch (RuntimeException e) {
            warnOnce(address, "no next hop for remote backend " + address.getHostAddress() + ": {0}", e);
            unresolved.add(address);
            return;
        }
        warned.remove(address);
        if (nextHops.put(address, hop) == null) {
            wanted.merge(hop, 1, Integer::sum);
        }
    }

    private void drop(Inet4Address address) {
        unresolved.remove(address);
        NextHop hop = nextHops.remove(address);
        if (hop != null) {
            wanted.computeIfPresent(hop, (h, n) -> n == 1 ? null : n - 1);
        }
    }

    /**
     * For {@code ferry uninstall}: removes every managed neighbor entry in the calling thread's
     * namespace that carries Ferry's mark. An operator's own managed entries (without the mark)
     * stay. Tries them all, then throws the first failure (others suppressed) if any failed.
     *
     * @return how many entries were removed
     */
    public static int forgetAll() {
        int forgotten = 0;
        RuntimeException failure = null;
        for (ManagedNeighbor neighbor : Netlink.managedNeighbors()) {
            if (!neighbor.ownedByFerry()) {
                continue;
            }
            try {
                if (Netlink.forgetNeighbor(neighbor.ifindex(), neighbor.address())) {
                    forgotten++;
                }
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        return forgotten;
    }

    /** Entries of an earlier run count as kept, so that those no backend needs any more are pruned. */
    private void adoptEarlierEntries() {
        if (adopted) {
            return;
        }
        try {
            kept.addAll(kernel.entriesOwnedByFerry());
            adopted = true;
        } catch (RuntimeException e) {
            if (!adoptionWarned) {
                adoptionWarned = true;
                LOG.log(System.Logger.Level.WARNING, "listing the managed neighbor entries of an earlier run: {0}", e.getMessage());
            }
        }
    }

    private void hold(NextHop hop) {
        try {
            if (kernel.keep(hop)) {
                kept.add(hop);
                configured.remove(hop);
            } else {
                kept.remove(hop);
                if (configured.add(hop)) {
                    LOG.log(System.Logger.Level.INFO, "next hop {0} has a neighbor entry someone configured; leaving it as it is", hop);
                }
            }
            warned.remove(hop);
        } catch (RuntimeException e) {
            warnOnce(hop, "keeping the neighbor entry of next hop " + hop + " resolved: {0}", e);
        }
    }

    /** A failure leaves the hop in kept, so the next pass that does work tries again. */
    private void release(NextHop hop) {
        try {
            kernel.forget(hop);
            kept.remove(hop);
            warned.remove(hop);
        } catch (RuntimeException e) {
            warnOnce(hop, "removing the neighbor entry of next hop " + hop + ": {0}", e);
        }
    }

    private void warnOnce(Object key, String message, RuntimeException e) {
        if (warned.add(key)) {
            LOG.log(System.Logger.Level.WARNING, message, e.getMessage());
        }
    }
}
