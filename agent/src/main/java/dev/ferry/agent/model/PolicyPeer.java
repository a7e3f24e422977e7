package dev.ferry.agent.model;

import java.util.List;
import java.util.Optional;

/** One entry of a NetworkPolicy rule's from/to. */
public sealed interface PolicyPeer permits PolicyPeer.Pods, PolicyPeer.IpBlock, PolicyPeer.Ipv6Block {
    /**
     * Pods chosen by label. Without a namespaceSelector, pods of the policy's own namespace;
     * with one ({@code {}}: all namespaces), pods of the namespaces it matches. Without a
     * podSelector, every pod there. Both selectors in one peer must both match.
     */
    record Pods(Optional<LabelSelector> podSelector, Optional<LabelSelector> namespaceSelector) implements PolicyPeer {
    }

    /** Addresses inside {@code cidr} and outside every {@code except} prefix. */
    record IpBlock(Cidr cidr, List<Cidr> except) implements PolicyPeer {
        public IpBlock {
            except = List.copyOf(except);
        }
    }

    /**
     * An IPv6 ipBlock, valid in a dual-stack cluster but matching no IPv4 peer. It is kept, not
     * dropped, so that a rule naming only IPv6 blocks still allows nothing here instead of
     * becoming a rule without peers, which would allow everything.
     */
    record Ipv6Block(String cidr) implements PolicyPeer {
    }
}
