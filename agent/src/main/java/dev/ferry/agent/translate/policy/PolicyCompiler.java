package dev.ferry.agent.translate.policy;

import dev.ferry.agent.model.Cidr;
import dev.ferry.agent.model.Cluster;
import dev.ferry.agent.model.Direction;
import dev.ferry.agent.model.Ipv4;
import dev.ferry.agent.model.LocalNode;
import dev.ferry.agent.model.NetworkPolicy;
import dev.ferry.agent.model.Pod;
import dev.ferry.agent.model.PodName;

import java.net.Inet4Address;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * NetworkPolicies, Pods and Namespaces -> the policy state of one node, with upstream
 * NetworkPolicy semantics. Pure: no I/O, no clock; the same cluster gives the same state.
 * <p>
 * Only pods with an IPv4 address that are neither host-network nor terminal take part. A pod
 * is isolated in a direction when a policy of its namespace selects it and has that direction
 * among its effective policyTypes; then only what the rules of those policies allow, added up,
 * passes in that direction. The datapath lets HOST through on its own (see
 * {@link Identity.Reserved#HOST}), so no entry names it.
 */
public final class PolicyCompiler {
    private PolicyCompiler() {
    }

    public static PolicyState compile(Cluster cluster, LocalNode local) {
        PolicyPods pods = new PolicyPods(cluster);
        BlockPrefixes blocks = BlockPrefixes.of(cluster.networkPolicies());
        SortedMap<Inet4Address, PodName> podNames = new TreeMap<>(Ipv4::compare);
        for (Pod pod : pods.all()) podNames.putIfAbsent(pod.policyAddress().orElseThrow(), pod.name());

        SortedMap<Inet4Address, EndpointPolicy> endpoints = new TreeMap<>(Ipv4::compare);
        SortedSet<PolicyEntry> entries = new TreeSet<>();
        RuleEntries rules = new RuleEntries(pods, blocks);
        for (Pod pod : pods.all()) {
            Inet4Address address = pod.policyAddress().orElseThrow();
            if (!pod.nodeName().equals(local.name()) || !pod.name().equals(podNames.get(address))) continue;
            List<NetworkPolicy> selecting = cluster.networkPolicies().stream().filter(p -> p.selects(pod)).toList();
            Set<Direction> isolated = EnumSet.noneOf(Direction.class);
            for (NetworkPolicy policy : selecting) {
                for (Direction direction : policy.effectiveTypes()) {
                    isolated.add(direction);
                    for (var rule : policy.rules(direction)) rules.compile(pod, policy.namespace(), direction, rule, entries::add);
                }
            }
            if (!isolated.isEmpty()) {
                endpoints.put(address, new EndpointPolicy(pod.name(), isolated.contains(Direction.INGRESS),
                        isolated.contains(Direction.EGRESS)));
            }
        }
        return new PolicyState(ipcache(pods, blocks, local), endpoints, entries, podNames);
    }

    /**
     * Every block prefix as itself, then every pod address and every host address (/32) with its
     * own identity and its block; a /32 block equal to such an address gives way to it but
     * stays its block. Of two pods with one address the first by name wins (a stale status
     * during a quick reuse); a host address wins over a pod's.
     */
    private static SortedMap<Cidr, IpcacheEntry> ipcache(PolicyPods pods, BlockPrefixes blocks, LocalNode local) {
        SortedMap<Cidr, IpcacheEntry> ipcache = new TreeMap<>();
        for (Cidr prefix : blocks.all()) ipcache.put(prefix, new IpcacheEntry(new Identity.Block(prefix), new Identity.Block(prefix)));
        for (Pod pod : pods.all()) {
            Inet4Address address = pod.policyAddress().orElseThrow();
            Cidr host = new Cidr(address, 32);
            if (ipcache.containsKey(host) && ipcache.get(host).identity() instanceof Identity.Pods) continue;
            ipcache.put(host, new IpcacheEntry(pods.identity(pod), blocks.blockOf(address)));
        }
        for (Inet4Address address : local.hostAddresses()) {
            ipcache.put(new Cidr(address, 32), new IpcacheEntry(Identity.Reserved.HOST, blocks.blockOf(address)));
        }
        return ipcache;
    }
}
