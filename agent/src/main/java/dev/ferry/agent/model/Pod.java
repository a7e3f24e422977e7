package dev.ferry.agent.model;

import java.net.Inet4Address;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A Pod as NetworkPolicy sees it.
 *
 * @param address    its IPv4 address (status.podIPs), none before it has one
 * @param nodeName   spec.nodeName, "" while unscheduled
 * @param terminal   phase Succeeded or Failed: it will never run again
 * @param namedPorts the named ports of its containers, which policies' named ports resolve to
 */
public record Pod(PodName name, SortedMap<String, String> labels, Optional<Inet4Address> address, String nodeName,
                  boolean hostNetwork, boolean terminal, List<ContainerPort> namedPorts) {
    public Pod {
        labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
        namedPorts = List.copyOf(namedPorts);
    }

    public String namespace() {
        return name.namespace();
    }

    /**
     * The address policies know this pod by. None for a host-network pod: its address is the
     * node's, which is HOST, not the pod. None for a terminal pod: its address may already
     * belong to a new pod, which must not inherit its identity.
     */
    public Optional<Inet4Address> policyAddress() {
        return hostNetwork || terminal ? Optional.empty() : address;
    }
}
