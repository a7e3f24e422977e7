package dev.ferry.agent.http;

import dev.ferry.agent.model.ServiceName;
import dev.ferry.agent.translate.HealthCheck;
import dev.ferry.agent.testing.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real listeners on free loopback ports, asked by the JDK's HTTP client and by a raw keep-alive socket. */
class HealthCheckNodePortsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final ServiceName WEB = new ServiceName("default", "web");
    private static final ServiceName API = new ServiceName("shop", "api");

    private final ManualClock clock = new ManualClock(Instant.parse("2025-01-01T00:00:00Z"));
    private final ProxyHealth health = new ProxyHealth(clock, TIMEOUT);
    private final HealthCheckNodePorts ports = new HealthCheckNodePorts("127.0.0.1", health);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void stop() {
        ports.close();
        http.close();
    }

    /** A port nothing listens on now; the kernel may hand it out again, which is a tolerable race. */
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String body(String namespace, String name, int count, boolean healthy) {
        return "{\n\t\"service\": {\n\t\t\"namespace\": \"" + namespace + "\",\n\t\t\"name\": \"" + name + "\"\n\t},\n"
                + "\t\"localEndpoints\": " + count + ",\n\t\"serviceProxyHealthy\": " + healthy + "\n}";
    }

    @Test
    void localEndpointsGive200WithKubeProxysBodyAndHeaders() throws Exception {
        int port = freePort();
        assertEquals(List.of(), ports.sync(Map.of(port, new HealthCheck(WEB, 2))));

        HttpResponse<String> r = get(port, "/healthz");
        assertEquals(200, r.statusCode());
        assertEquals(body("default", "web", 2, true), r.body());
        assertEquals("application/json", r.headers().firstValue("content-type").orElseThrow());
        assertEquals("nosniff", r.headers().firstValue("x-content-type-options").orElseThrow());
        assertEquals("2", r.headers().firstValue("x-load-balancing-endpoint-weight").orElseThrow());
        assertEquals(200, get(port, "/any/path?at=all").statusCode(), "kube-proxy answers every path");
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, post.statusCode(), "and every method");
    }

    @Test
    void noLocalEndpointsGive503() throws Exception {
        int port = freePort();
        ports.sync(Map.of(port, new HealthCheck(WEB, 0)));

        HttpResponse<String> r = get(port, "/");
        assertEquals(503, r.statusCode());
        assertEquals(body("default", "web", 0, true), r.body());
        assertEquals("0", r.headers().firstValue("x-load-balancing-endpoint-weight").orElseThrow());
    }

    @Test
    void anUnhealthyProxyGives503EvenWithEndpoints() throws Exception {
        int port = freePort();
        ports.sync(Map.of(port, new HealthCheck(WEB, 3)));
        health.queuedUpdate();
        clock.advance(TIMEOUT.plusSeconds(1));

        HttpResponse<String> r = get(port, "/");
        assertEquals(503, r.statusCode());
        assertEquals(body("default", "web", 3, false), r.body());

        health.updated();
        assertEquals(200, get(port, "/").statusCode());
    }

    @Test
    void aNewCountIsServedWithoutReopeningThePort() throws Exception {
        int port = freePort();
        ports.sync(Map.of(port, new HealthCheck(WEB, 1)));
        try (KeptAlive c = new KeptAlive(port)) {
            assertTrue(c.exchange().startsWith("HTTP/1.1 200 OK"));
            ports.sync(Map.of(port, new HealthCheck(WEB, 0)));
            String reply = c.exchange(); // the same connection: the listener was not closed
            assertTrue(reply.startsWith("HTTP/1.1 503 Service Unavailable"), reply);
            assertTrue(reply.endsWith(body("default", "web", 0, true)), reply);
            ports.sync(Map.of(port, new HealthCheck(WEB, 4)));
            assertTrue(c.exchange().contains("\"localEndpoints\": 4"));
        }
    }

    @Test
    void aRemovedPortStopsListeningAndDropsItsConnections() throws Exception {
        int kept = freePort();
        int removed = freePort();
        ports.sync(Map.of(kept, new HealthCheck(WEB, 1), removed, new HealthCheck(API, 1)));
        try (KeptAlive c = new KeptAlive(removed)) {
            assertTrue(c.exchange().startsWith("HTTP/1.1 200 OK"));
            ports.sync(Map.of(kept, new HealthCheck(WEB, 1)));
            assertEquals(-1, c.in.read(), "the kept-alive connection is closed too");
        }
        assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), removed).close());
        assertEquals(200, get(kept, "/").statusCode());
    }

    @Test
    void aPortInUseIsReportedRetriedAndDisturbsNoOtherPort() throws Exception {
        int other = freePort();
        ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        int busy = taken.getLocalPort();
        Map<Integer, HealthCheck> wanted = Map.of(other, new HealthCheck(WEB, 1), busy, new HealthCheck(API, 1));
        try (taken) {
            List<String> errors = ports.sync(wanted);
            assertEquals(1, errors.size(), errors.toString());
            assertTrue(errors.getFirst().startsWith("healthCheckNodePort 127.0.0.1:" + busy + " of shop/api: can not listen: "),
                    errors.getFirst());
            assertTrue(errors.getFirst().toLowerCase().contains("in use"), errors.getFirst());
            try (KeptAlive c = new KeptAlive(other)) {
                assertTrue(c.exchange().startsWith("HTTP/1.1 200 OK"));
                assertEquals(errors, ports.sync(wanted), "still busy: reported again");
                assertTrue(c.exchange().startsWith("HTTP/1.1 200 OK"), "the other port's connection survives");
            }
        }

        assertEquals(List.of(), ports.sync(wanted), "the next sync after the port frees up binds it");
        HttpResponse<String> r = get(busy, "/");
        assertEquals(200, r.statusCode());
        assertEquals(body("shop", "api", 1, true), r.body());
    }

    @Test
    void closeStopsEveryPortAndLaterSyncsDoNothing() throws Exception {
        int port = freePort();
        ports.sync(Map.of(port, new HealthCheck(WEB, 1)));
        ports.close();
        assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), port).close());
        assertEquals(List.of(), ports.sync(Map.of(port, new HealthCheck(WEB, 1))));
        assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), port).close());
    }

    /** One HTTP/1.1 connection kept open across requests, to tell a kept listener from a reopened one. */
    private static final class KeptAlive implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;

        KeptAlive(int port) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout(5000);
            in = socket.getInputStream();
        }

        /** @return the status line, headers and body of one GET */
        String exchange() throws IOException {
            socket.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: node\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) throw new IOException("closed after " + head);
                head.write(b);
            }
            String headers = head.toString(StandardCharsets.US_ASCII);
            int length = headers.lines().filter(l -> l.toLowerCase().startsWith("content-length:"))
                    .mapToInt(l -> Integer.parseInt(l.substring(l.indexOf(':') + 1).trim())).findFirst().orElseThrow();
            return headers + new String(in.readNBytes(length), StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
