package dev.ferry.agent.http;

import dev.ferry.agent.metrics.MetricRegistry;

import java.util.Map;

/**
 * The agent's two HTTP servers, split as kube-proxy splits them: metrics (node-local by default)
 * and health (reachable by load balancers). Either is off when its flag is empty.
 */
public final class AgentEndpoints implements AutoCloseable {
    private final HttpServer metrics;
    private final HttpServer healthz;

    private AgentEndpoints(HttpServer metrics, HttpServer healthz) {
        this.metrics = metrics;
        this.healthz = healthz;
    }

    /** @param metricsAddress null: no metrics server; likewise {@code healthzAddress} */
    public static AgentEndpoints start(BindAddress metricsAddress, BindAddress healthzAddress,
                                       MetricRegistry registry, ProxyHealth health) {
        HealthEndpoints endpoints = new HealthEndpoints(health, registry);
        HttpServer metrics = metricsAddress == null ? null : HttpServer.start(metricsAddress,
                Map.of("/metrics", () -> new HttpReply(200, MetricRegistry.CONTENT_TYPE, registry.scrape())));
        try {
            HttpServer healthz = healthzAddress == null ? null : HttpServer.start(healthzAddress,
                    Map.of("/healthz", endpoints::healthz, "/livez", endpoints::livez));
            return new AgentEndpoints(metrics, healthz);
        } catch (RuntimeException e) {
            if (metrics != null) metrics.close();
            throw e;
        }
    }

    /** @return the bound port, or -1 when the server is off */
    public int metricsPort() {
        return metrics == null ? -1 : metrics.port();
    }

    public int healthzPort() {
        return healthz == null ? -1 : healthz.port();
    }

    @Override
    public void close() {
        if (metrics != null) metrics.close();
        if (healthz != null) healthz.close();
    }
}
