package dev.ferry.agent.translate;

import dev.ferry.agent.model.ServiceName;

import java.util.List;

/**
 * The backends one frontend balances over, in a stable order, and the service port it belongs
 * to (for logs and metrics). An empty list means reject (the service has no endpoints), or drop
 * when {@code localOnly} (internalTrafficPolicy Local without a local endpoint, as kube-proxy).
 * {@code affinityTimeoutSeconds} > 0: sessionAffinity ClientIP.
 */
public record FrontendTarget(ServiceName service, String portName, List<Backend> backends, boolean localOnly,
                             int affinityTimeoutSeconds) {
    public FrontendTarget {
        backends = List.copyOf(backends);
    }

    public FrontendTarget(ServiceName service, String portName, List<Backend> backends) {
        this(service, portName, backends, false, 0);
    }
}
