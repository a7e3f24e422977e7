package dev.ferry.agent.translate;

import dev.ferry.agent.model.ServiceName;

/**
 * What a service's healthCheckNodePort answers on this node: how many of its endpoints here are
 * ready, as kube-proxy counts them (load balancers send traffic only to nodes with some).
 */
public record HealthCheck(ServiceName service, int localEndpoints) {
    public HealthCheck {
        if (localEndpoints < 0) throw new IllegalArgumentException("localEndpoints " + localEndpoints + " < 0");
    }
}
