package dev.ferry.agent.translate.policy;

import dev.ferry.agent.model.Cidr;
import dev.ferry.agent.model.ContainerPort;

import java.util.Collections;
import java.util.Comparator;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A class of peers that no policy rule can tell apart, so rules name it instead of each address:
 * every pod with the same namespace, labels, namespace labels and named ports shares one; every
 * ipBlock prefix (and every {@code except} hole) is one; and there are reserved ones. The ipcache
 * maps addresses to identities, and the reconciler gives each identity a number on this node.
 * <p>
 * Named ports are part of a pod's identity so that an egress rule's named port, resolved per
 * destination pod, is exact: pods alike in labels but serving "http" on different numbers differ.
 */
public sealed interface Identity permits Identity.Reserved, Identity.Pods, Identity.Block {
    /** Sorts by {@link #key()}: reserved first, then blocks, then pods. */
    Comparator<Identity> ORDER = Comparator.comparing(Identity::key);

    /** A stable text naming the identity, for sorting, dumps and logs. */
    String key();

    /**
     * ANY is not an identity an address can have: a rule entry for it matches every peer.
     * HOST is this node (its addresses, and the hairpin source): always allowed both ways, as
     * Kubernetes requires for kubelet probes. WORLD is every address that no pod and no ipBlock
     * prefix covers.
     */
    enum Reserved implements Identity {
        ANY, HOST, WORLD;

        @Override
        public String key() {
            return "0:" + name().toLowerCase();
        }
    }

    /** The pods of one namespace with exactly these labels, namespace labels and named ports. */
    record Pods(String namespace, SortedMap<String, String> labels, SortedMap<String, String> namespaceLabels,
                SortedSet<ContainerPort> namedPorts) implements Identity {
        public Pods {
            labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
            namespaceLabels = Collections.unmodifiableSortedMap(new TreeMap<>(namespaceLabels));
            namedPorts = Collections.unmodifiableSortedSet(new TreeSet<>(namedPorts));
        }

        @Override
        public String key() {
            return "2:" + namespace + labels + (namedPorts.isEmpty() ? "" : " ports" + namedPorts)
                    + " ns" + namespaceLabels;
        }
    }

    /**
     * An ipBlock prefix. An address's block identity is the most specific prefix, among all the
     * prefixes any policy names, that contains it; a rule for block B except E1..En then allows
     * exactly the block identities whose prefix lies inside B and inside no Ei.
     */
    record Block(Cidr prefix) implements Identity {
        @Override
        public String key() {
            return "1:" + prefix;
        }
    }
}
