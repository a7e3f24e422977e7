package dev.ferry.agent.translate.policy;

import dev.ferry.agent.model.Cidr;
import dev.ferry.agent.model.NetworkPolicy;
import dev.ferry.agent.model.PolicyPeer;
import dev.ferry.agent.model.PolicyRule;

import java.net.Inet4Address;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Every prefix any ipBlock of any policy names, as cidr or as except: each is a block identity,
 * and an address's block is the most specific of them that contains it.
 */
final class BlockPrefixes {
    private final SortedSet<Cidr> prefixes;

    private BlockPrefixes(SortedSet<Cidr> prefixes) {
        this.prefixes = Collections.unmodifiableSortedSet(prefixes);
    }

    static BlockPrefixes of(List<NetworkPolicy> policies) {
        SortedSet<Cidr> prefixes = new TreeSet<>();
        for (NetworkPolicy policy : policies) {
            for (List<PolicyRule> rules : List.of(policy.ingress(), policy.egress())) {
                for (PolicyRule rule : rules) {
                    for (PolicyPeer peer : rule.peers()) {
                        if (peer instanceof PolicyPeer.IpBlock block) {
                            prefixes.add(block.cidr());
                            prefixes.addAll(block.except());
                        }
                    }
                }
            }
        }
        return new BlockPrefixes(prefixes);
    }

    SortedSet<Cidr> all() {
        return prefixes;
    }

    /** The block identity of the most specific prefix containing {@code address}, else WORLD. */
    Identity blockOf(Inet4Address address) {
        for (int length = 32; length >= 0; length--) {
            Cidr candidate = new Cidr(address, length);
            if (prefixes.contains(candidate)) return new Identity.Block(candidate);
        }
        return Identity.Reserved.WORLD;
    }

    /**
     * The block identities an ipBlock allows: those of the prefixes inside its cidr and inside
     * none of its excepts. An address in an except hole has the hole (or a prefix inside it) as
     * its block, so it is left out; one outside the holes has a block this set holds.
     */
    Set<Identity> allowedBy(PolicyPeer.IpBlock block) {
        Set<Identity> out = new HashSet<>();
        for (Cidr prefix : prefixes) {
            if (block.cidr().contains(prefix) && block.except().stream().noneMatch(hole -> hole.contains(prefix))) {
                out.add(new Identity.Block(prefix));
            }
        }
        return out;
    }
}
