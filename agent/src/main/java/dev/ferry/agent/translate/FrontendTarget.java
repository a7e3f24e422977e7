package dev.ferry.agent.translate;

import dev.ferry.agent.model.Cidr;
import dev.ferry.agent.model.ServiceName;

import java.util.List;

/**
 * The backends one frontend balances over, in a stable order, and the service port it belongs
 * to (for logs and metrics). An empty list means reject (the service has no endpoints), or drop
 * when {@code localOnly} (a Local traffic policy without a local endpoint, as kube-proxy).
 * {@code affinityTimeoutSeconds} > 0: sessionAffinity ClientIP. {@code maglev}: backends are picked
 * by a Maglev table, the same choice on every node. {@code sourceRanges}: when not empty, the only
 * sources allowed (loadBalancerSourceRanges).
 */
public record FrontendTarget(ServiceName service, String portName, List<Backend> backends, boolean localOnly,
                             int affinityTimeoutSeconds, boolean maglev, List<Cidr> sourceRanges) {
    public FrontendTarget {
        backends = List.copyOf(backends);
        sourceRanges = List.copyOf(sourceRanges);
    }

    public FrontendTarget(ServiceName service, String portName, List<Backend> backends) {
        this(service, portName, backends, false, 0, false, List.of());
    }

    /** The same backends, picked by Maglev or not, guarded by source ranges or not. */
    FrontendTarget with(boolean byMaglev, List<Cidr> ranges) {
        return new FrontendTarget(service, portName, backends, localOnly, affinityTimeoutSeconds, byMaglev, ranges);
    }
}
