package dev.ferry.agent.translate;

import dev.ferry.agent.model.Cidr;
import dev.ferry.agent.model.Ipv4;
import dev.ferry.agent.model.ServiceName;
import dev.ferry.agent.translate.policy.PolicyState;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The complete, immutable state the maps should hold; translators build it, the reconciler
 * applies it. It is kept per Service ({@link ServiceFrontends}), so that the reconciler can skip
 * every service whose part is the same instance as in the state it applied last.
 * <p>
 * Two Services claiming one frontend (the same external IP and port, say) is a user error;
 * the Service first by namespace/name gets it, here and in the reconciler alike
 * ({@link #winner}). {@code serviceCidrs}: inside them, unallocated addresses drop;
 * {@code policy}: NetworkPolicy.
 */
public final class DesiredState {
    private final Map<ServiceName, ServiceFrontends> services;
    private final SortedSet<Cidr> serviceCidrs;
    private final PolicyState policy;
    /** The merged views, built on first use: the agent's passes need none of them. */
    private volatile SortedMap<Frontend, FrontendTarget> frontends;
    private volatile SortedMap<Integer, HealthCheck> healthChecks;

    /** @param services taken as it is, never copied (a pass is O(changes)): whoever hands it in never changes it again */
    public DesiredState(Map<ServiceName, ServiceFrontends> services, Collection<Cidr> serviceCidrs, PolicyState policy) {
        this.services = Collections.unmodifiableMap(services);
        this.serviceCidrs = Collections.unmodifiableSortedSet(new TreeSet<>(serviceCidrs));
        this.policy = policy;
    }

    /**
     * Frontends grouped by their target's service, for tests and tools that think in frontends;
     * each ClusterIP goes with the service of a frontend on it.
     */
    public static DesiredState of(SortedMap<Frontend, FrontendTarget> frontends, Collection<Inet4Address> clusterIps,
                                  Collection<Cidr> serviceCidrs) {
        Map<ServiceName, SortedMap<Frontend, FrontendTarget>> byService = new LinkedHashMap<>();
        Map<ServiceName, List<Inet4Address>> ips = new HashMap<>();
        frontends.forEach((f, t) -> byService.computeIfAbsent(t.service(), s -> new TreeMap<>()).put(f, t));
        for (Inet4Address ip : clusterIps) {
            ServiceName owner = frontends.entrySet().stream().filter(e -> e.getKey().vip().equals(ip))
                    .map(e -> e.getValue().service()).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("ClusterIP " + ip.getHostAddress() + " has no frontend"));
            ips.computeIfAbsent(owner, s -> new ArrayList<>()).add(ip);
        }
        Map<ServiceName, ServiceFrontends> services = new HashMap<>();
        byService.forEach((name, own) -> services.put(name,
                new ServiceFrontends(name, own, ips.getOrDefault(name, List.of()), Map.of())));
        return new DesiredState(services, serviceCidrs, PolicyState.empty());
    }

    public static DesiredState of(SortedMap<Frontend, FrontendTarget> frontends) {
        return of(frontends, List.of(), List.of());
    }

    public static DesiredState empty() {
        return of(new TreeMap<>());
    }

    public DesiredState withPolicy(PolicyState policy) {
        return new DesiredState(services, serviceCidrs, policy);
    }

    public Map<ServiceName, ServiceFrontends> services() {
        return services;
    }

    public SortedSet<Cidr> serviceCidrs() {
        return serviceCidrs;
    }

    public PolicyState policy() {
        return policy;
    }

    /** Of the services claiming a frontend (sorted by name), the one that gets it. */
    public static ServiceName winner(SortedSet<ServiceName> claimants) {
        return claimants.first();
    }

    /** Every frontend with the target of the service that gets it. */
    public SortedMap<Frontend, FrontendTarget> frontends() {
        SortedMap<Frontend, FrontendTarget> merged = frontends;
        if (merged == null) {
            TreeMap<Frontend, FrontendTarget> all = new TreeMap<>();
            byName().forEach(s -> s.frontends().forEach(all::putIfAbsent));
            frontends = merged = Collections.unmodifiableSortedMap(all);
        }
        return merged;
    }

    /** Every allocated ClusterIP: a new flow to one on an unserved port is rejected. */
    public SortedSet<Inet4Address> clusterIps() {
        TreeSet<Inet4Address> ips = new TreeSet<>(Ipv4::compare);
        services.values().forEach(s -> ips.addAll(s.clusterIps()));
        return Collections.unmodifiableSortedSet(ips);
    }

    /** healthCheckNodePort -> what it answers on this node. */
    public SortedMap<Integer, HealthCheck> healthChecks() {
        SortedMap<Integer, HealthCheck> merged = healthChecks;
        if (merged == null) {
            TreeMap<Integer, HealthCheck> all = new TreeMap<>();
            services.values().stream().filter(s -> !s.healthChecks().isEmpty())
                    .sorted(Comparator.comparing(ServiceFrontends::name))
                    .forEach(s -> s.healthChecks().forEach(all::putIfAbsent));
            healthChecks = merged = Collections.unmodifiableSortedMap(all);
        }
        return merged;
    }

    /** Backends on other nodes that traffic from outside is forwarded to by XDP: their next hops must stay resolved. */
    public Set<Inet4Address> remoteBackendAddresses() {
        Set<Inet4Address> out = new HashSet<>();
        services.values().forEach(s -> out.addAll(s.remoteExternalBackends()));
        return out;
    }

    private List<ServiceFrontends> byName() {
        List<ServiceFrontends> sorted = new ArrayList<>(services.values());
        sorted.sort(Comparator.comparing(ServiceFrontends::name));
        return sorted;
    }
}
