package dev.ferry.agent.translate.policy;

import dev.ferry.agent.model.Cluster;
import dev.ferry.agent.model.LocalNode;

import java.util.List;

/**
 * {@link PolicyCompiler#compile} that compiles again only when its inputs changed: the Pods,
 * Namespaces and NetworkPolicies (compared element by element by identity, which the
 * source keeps for unchanged objects, see ModelStore) and this node. An endpoint change then
 * costs no policy work, however many pods the cluster has. Not thread-safe: one caller.
 */
public final class CachedPolicyCompiler {
    private Cluster lastCluster;
    private LocalNode lastLocal;
    private PolicyState lastState;

    public PolicyState compile(Cluster cluster, LocalNode local) {
        if (lastState == null || !local.equals(lastLocal) || !Cluster.sameInstances(cluster.pods(), lastCluster.pods())
                || !Cluster.sameInstances(cluster.namespaces(), lastCluster.namespaces())
                || !Cluster.sameInstances(cluster.networkPolicies(), lastCluster.networkPolicies())) {
            lastState = PolicyCompiler.compile(cluster, local);
        }
        lastCluster = cluster;
        lastLocal = local;
        return lastState;
    }
}
