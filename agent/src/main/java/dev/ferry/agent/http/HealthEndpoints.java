package dev.ferry.agent.http;

import dev.ferry.agent.metrics.LabeledSamples;
import dev.ferry.agent.metrics.MetricRegistry;

import java.time.Instant;
import java.time.format.DateTimeFormatter;

/**
 * /healthz and /livez as kube-proxy answers them: JSON with lastUpdated and currentTime, 200 or
 * 503. When healthy, lastUpdated is the current time, as kube-proxy does for compatibility with
 * clients of older releases. Ferry does not yet track the Node's deletion taint, so nodeEligible
 * is always true.
 */
public final class HealthEndpoints {
    private final ProxyHealth health;
    private final LabeledSamples healthzTotal;
    private final LabeledSamples livezTotal;

    public HealthEndpoints(ProxyHealth health, MetricRegistry registry) {
        this.health = health;
        healthzTotal = registry.labeledCounter("kubeproxy_proxy_healthz_total", "Cumulative proxy healthz HTTP status", "code");
        livezTotal = registry.labeledCounter("kubeproxy_proxy_livez_total", "Cumulative proxy livez HTTP status", "code");
    }

    public HttpReply healthz() {
        return reply(healthzTotal, ", \"nodeEligible\": true");
    }

    public HttpReply livez() {
        return reply(livezTotal, "");
    }

    private HttpReply reply(LabeledSamples total, String extra) {
        ProxyHealth.Status s = health.status();
        int code = s.healthy() ? 200 : 503;
        total.add(Integer.toString(code), 1);
        Instant lastUpdated = s.healthy() ? s.currentTime() : s.lastUpdated();
        return HttpReply.json(code, "{\"lastUpdated\": \"" + rfc3339(lastUpdated) + "\", \"currentTime\": \""
                + rfc3339(s.currentTime()) + "\"" + extra + "}");
    }

    private static String rfc3339(Instant t) {
        return DateTimeFormatter.ISO_INSTANT.format(t);
    }
}
