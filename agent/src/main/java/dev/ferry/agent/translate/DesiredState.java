package dev.ferry.agent.translate;

import dev.ferry.agent.model.Cidr;
import dev.ferry.agent.model.Ipv4;
import dev.ferry.agent.translate.policy.PolicyState;

import java.net.Inet4Address;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The complete, immutable state the maps should hold; translators build it, the reconciler
 * applies it. {@code clusterIps}: every allocated ClusterIP (a new flow to one on an unserved
 * port is rejected); {@code serviceCidrs}: inside them, unallocated addresses drop;
 * {@code healthChecks}: healthCheckNodePort -> what it answers; {@code policy}: NetworkPolicy.
 */
public record DesiredState(SortedMap<Frontend, FrontendTarget> frontends, SortedSet<Inet4Address> clusterIps,
                           SortedSet<Cidr> serviceCidrs, SortedMap<Integer, HealthCheck> healthChecks,
                           PolicyState policy) {
    public DesiredState {
        frontends = Collections.unmodifiableSortedMap(new TreeMap<>(frontends));
        TreeSet<Inet4Address> ips = new TreeSet<>(Ipv4::compare);
        ips.addAll(clusterIps);
        clusterIps = Collections.unmodifiableSortedSet(ips);
        serviceCidrs = Collections.unmodifiableSortedSet(new TreeSet<>(serviceCidrs));
        healthChecks = Collections.unmodifiableSortedMap(new TreeMap<>(healthChecks));
    }

    /** Services only, no policy. */
    public DesiredState(SortedMap<Frontend, FrontendTarget> frontends, SortedSet<Inet4Address> clusterIps,
                        SortedSet<Cidr> serviceCidrs, SortedMap<Integer, HealthCheck> healthChecks) {
        this(frontends, clusterIps, serviceCidrs, healthChecks, PolicyState.empty());
    }

    public DesiredState withPolicy(PolicyState policy) {
        return new DesiredState(frontends, clusterIps, serviceCidrs, healthChecks, policy);
    }

    public DesiredState(SortedMap<Frontend, FrontendTarget> frontends) {
        this(frontends, new TreeSet<>(Ipv4::compare), new TreeSet<>(), new TreeMap<>());
    }

    /** Backends on other nodes that traffic from outside is forwarded to by XDP: their next hops must stay resolved. */
    public Set<Inet4Address> remoteBackendAddresses() {
        Set<Inet4Address> out = new HashSet<>();
        frontends.forEach((frontend, target) -> {
            if (frontend.scope() != Frontend.Scope.EXTERNAL) return;
            target.backends().stream().filter(b -> !b.local()).forEach(b -> out.add(b.address()));
        });
        return out;
    }

    public static DesiredState empty() {
        return new DesiredState(new TreeMap<>());
    }
}
