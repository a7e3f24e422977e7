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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The complete, immutable state the maps should hold; translators build it, the reconciler
 * applies it. It is kept per Service ({@link ServiceFrontends}) in a {@link ShardedMap}, so that
 * the reconciler finds the services whose part is another instance than in the state it applied
 * last without looking at the others, and the views merged over all services (health checks,
 * remote backends) are kept up to date by the translator ({@link MergedViews}).
 * <p>
 * Two Services claiming one frontend (the same external IP and port, say) is a user error;
 * the Service first by namespace/name gets it, here and in the reconciler alike
 * ({@link #winner}). {@code serviceCidrs}: inside them, unallocated addresses drop;
 * {@code policy}: NetworkPolicy.
 */
public final class DesiredState {
    private final ShardedMap<ServiceName, ServiceFrontends> services;
    private final SortedSet<Cidr> serviceCidrs;
    private final PolicyState policy;
    private final SortedMap<Integer, HealthCheck> healthChecks;
    private final ShardedMap<Inet4Address, Integer> remoteBackends;
    /** The merged view, built on first use: the agent's passes need it not. */
    private volatile SortedMap<Frontend, FrontendTarget> frontends;

    /** @param services copied unless it is a {@link ShardedMap}, which is taken as it is */
    public DesiredState(Map<ServiceName, ServiceFrontends> services, Collection<Cidr> serviceCidrs, PolicyState policy) {
        this(ShardedMap.copyOf(services), serviceCidrs, policy, MergedViews.of(services.values()));
    }

    /** The translator's: views it keeps up to date one changed Service at a time. */
    DesiredState(ShardedMap<ServiceName, ServiceFrontends> services, Collection<Cidr> serviceCidrs, PolicyState policy,
                 MergedViews views) {
        this(services, Collections.unmodifiableSortedSet(new TreeSet<>(serviceCidrs)), policy, views.healthChecks(),
                views.remoteBackends());
    }

    private DesiredState(ShardedMap<ServiceName, ServiceFrontends> services, SortedSet<Cidr> serviceCidrs,
                         PolicyState policy, SortedMap<Integer, HealthCheck> healthChecks,
                         ShardedMap<Inet4Address, Integer> remoteBackends) {
        this.services = services;
        this.serviceCidrs = serviceCidrs;
        this.policy = policy;
        this.healthChecks = healthChecks;
        this.remoteBackends = remoteBackends;
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
        return new DesiredState(services, serviceCidrs, policy, healthChecks, remoteBackends);
    }

    /** Each translated Service's part; compare two states with {@link ShardedMap#changesSince}. */
    public ShardedMap<ServiceName, ServiceFrontends> services() {
        return services;
    }

    public SortedSet<Cidr> serviceCidrs() {
        return serviceCidrs;
    }

    public PolicyState policy() {
        return policy;
    }

    /** Of the services claiming a frontend (sorted by name), the one that gets it. */
    public static ServiceName winner(List<ServiceName> claimants) {
        return claimants.getFirst();
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

    /** healthCheckNodePort -> what it answers on this node; the same instance while no such port changed. */
    public SortedMap<Integer, HealthCheck> healthChecks() {
        return healthChecks;
    }

    /**
     * Backends on other nodes that traffic from outside is forwarded to by XDP, whose next hops
     * must stay resolved, each with how many Services forward to it. The same instance while
     * none of them changed; a later version shares the shards a pass did not touch.
     */
    public ShardedMap<Inet4Address, Integer> remoteBackends() {
        return remoteBackends;
    }

    private List<ServiceFrontends> byName() {
        List<ServiceFrontends> sorted = new ArrayList<>(services.values());
        sorted.sort(Comparator.comparing(ServiceFrontends::name));
        return sorted;
    }
}
