package dev.ferry.agent.http;

import dev.ferry.agent.metrics.MetricRegistry;
import dev.ferry.agent.testing.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real Netty servers on ephemeral loopback ports, asked by the JDK's HTTP client. */
class AgentEndpointsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final ManualClock clock = new ManualClock(Instant.parse("2025-01-01T00:00:00Z"));
    private final ProxyHealth health = new ProxyHealth(clock, TIMEOUT);
    private final MetricRegistry registry = new MetricRegistry();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private AgentEndpoints endpoints;

    @AfterEach
    void stop() {
        if (endpoints != null) endpoints.close();
        http.close();
    }

    private AgentEndpoints startOnEphemeralPorts() {
        endpoints = AgentEndpoints.start(BindAddress.parse("metrics-bind-address", "127.0.0.1:0"),
                BindAddress.parse("healthz-bind-address", "127.0.0.1:0"), registry, health);
        return endpoints;
    }

    private HttpResponse<String> send(int port, String method, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(5)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metricsAreServedInPrometheusTextFormat() throws Exception {
        registry.gauge("ferry_invalid_objects", "Invalid.").set(2);
        int port = startOnEphemeralPorts().metricsPort();

        HttpResponse<String> r = send(port, "GET", "/metrics");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("content-type").orElseThrow().startsWith("text/plain; version=0.0.4"));
        assertTrue(r.body().contains("# TYPE ferry_invalid_objects gauge\nferry_invalid_objects 2\n"), r.body());
        assertEquals(404, send(port, "GET", "/healthz").statusCode(), "health has its own port, as in kube-proxy");
    }

    @Test
    void healthzAndLivezFollowTheProxierHealth() throws Exception {
        int port = startOnEphemeralPorts().healthzPort();

        HttpResponse<String> ok = send(port, "GET", "/healthz");
        assertEquals(200, ok.statusCode());
        assertEquals("application/json", ok.headers().firstValue("content-type").orElseThrow());
        assertEquals("{\"lastUpdated\": \"2025-01-01T00:00:00Z\", \"currentTime\": \"2025-01-01T00:00:00Z\", "
                + "\"nodeEligible\": true}", ok.body());
        assertEquals(200, send(port, "GET", "/livez?verbose").statusCode());

        health.queuedUpdate();
        clock.advance(TIMEOUT.plusSeconds(1));
        HttpResponse<String> late = send(port, "GET", "/healthz");
        assertEquals(503, late.statusCode());
        // unhealthy: lastUpdated is the real last sync, not now
        assertEquals("{\"lastUpdated\": \"2025-01-01T00:00:00Z\", \"currentTime\": \"2025-01-01T00:01:01Z\", "
                + "\"nodeEligible\": true}", late.body());
        HttpResponse<String> livez = send(port, "GET", "/livez");
        assertEquals(503, livez.statusCode());
        assertEquals("{\"lastUpdated\": \"2025-01-01T00:00:00Z\", \"currentTime\": \"2025-01-01T00:01:01Z\"}", livez.body());

        health.updated();
        assertEquals(200, send(port, "GET", "/healthz").statusCode());
        String counts = registry.scrape();
        assertTrue(counts.contains("kubeproxy_proxy_healthz_total{code=\"200\"} 2\n"), counts);
        assertTrue(counts.contains("kubeproxy_proxy_healthz_total{code=\"503\"} 1\n"), counts);
        assertTrue(counts.contains("kubeproxy_proxy_livez_total{code=\"503\"} 1\n"), counts);
    }

    @Test
    void unknownPathsAre404AndOtherMethods405() throws Exception {
        AgentEndpoints e = startOnEphemeralPorts();
        assertEquals(404, send(e.healthzPort(), "GET", "/readyz").statusCode());
        assertEquals(404, send(e.metricsPort(), "GET", "/").statusCode());
        HttpResponse<String> post = send(e.metricsPort(), "POST", "/metrics");
        assertEquals(405, post.statusCode());
        assertEquals("GET", post.headers().firstValue("allow").orElseThrow());
        assertEquals(405, send(e.healthzPort(), "DELETE", "/healthz").statusCode());
    }

    @Test
    void aPortInUseIsAnErrorNamingTheFlag() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            BindAddress busy = BindAddress.parse("healthz-bind-address", "127.0.0.1:" + taken.getLocalPort());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> AgentEndpoints.start(
                    BindAddress.parse("metrics-bind-address", "127.0.0.1:0"), busy, registry, health));
            assertTrue(e.getMessage().startsWith("--healthz-bind-address 127.0.0.1:" + taken.getLocalPort()
                    + ": can not listen: "), e.getMessage());
            assertTrue(e.getMessage().toLowerCase().contains("in use"), e.getMessage());
        }
    }

    @Test
    void anEmptyAddressTurnsAServerOffAndABadOneIsRejected() {
        assertNull(BindAddress.parse("metrics-bind-address", ""));
        endpoints = AgentEndpoints.start(null, null, registry, health);
        assertEquals(-1, endpoints.metricsPort());
        assertEquals(-1, endpoints.healthzPort());
        assertEquals(new BindAddress("healthz-bind-address", "::", 10256), BindAddress.parse("healthz-bind-address", "[::]:10256"));
        for (String bad : new String[]{"10256", "0.0.0.0", "0.0.0.0:http", ":10256", "0.0.0.0:70000"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> BindAddress.parse("healthz-bind-address", bad), bad);
            assertTrue(e.getMessage().startsWith("--healthz-bind-address '" + bad + "'"), e.getMessage());
        }
    }
}
