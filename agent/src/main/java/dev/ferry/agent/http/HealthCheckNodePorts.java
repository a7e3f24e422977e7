package dev.ferry.agent.http;

import dev.ferry.agent.translate.HealthCheck;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The healthCheckNodePorts of Services with externalTrafficPolicy Local, answered as kube-proxy's
 * service health server answers them (pkg/proxy/healthcheck/service_health.go): a cloud load
 * balancer asks each node, on any path, whether to send it the Service's traffic; 200 when the node
 * has local endpoints and the proxy is healthy, else 503, with the count in
 * X-Load-Balancing-Endpoint-Weight for balancers that weigh nodes by it.
 * <p>
 * One listener per port, all on one shared event-loop thread: a node may have hundreds of these
 * ports, each asked every few seconds. Only the reconciler calls {@link #sync}; each handler reads
 * its port's published {@link HealthCheck} and the proxy health, so it never waits for a sync.
 */
public final class HealthCheckNodePorts implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HealthCheckNodePorts.class.getName());

    /** @param channels the listening socket and its open connections, closed together */
    private record Listener(ChannelGroup channels, AtomicReference<HealthCheck> health) {
    }

    private final String bindHost;
    private final ProxyHealth proxyHealth;
    private final EventLoopGroup group;
    private final Map<Integer, Listener> listeners = new HashMap<>();
    private boolean closed;

    /** @param bindHost the address every port listens on, e.g. 0.0.0.0 */
    public HealthCheckNodePorts(String bindHost, ProxyHealth proxyHealth) {
        this.bindHost = bindHost;
        this.proxyHealth = proxyHealth;
        this.group = HttpServer.newGroup("http-health-check-node-ports");
    }

    /**
     * Listens on exactly the ports of {@code byPort}: closes the ports no longer there, publishes
     * new counts on the ports kept (their sockets and connections stay open), opens the new ones.
     * Never throws: a port that can not be opened is logged and reported, and tried again on the
     * next sync, while every other port keeps serving. After {@link #close} it does nothing.
     *
     * @return one message per port that could not be opened, naming the Service; empty when all listen
     */
    public synchronized List<String> sync(Map<Integer, HealthCheck> byPort) {
        if (closed) return List.of();
        listeners.entrySet().removeIf(e -> {
            if (byPort.containsKey(e.getKey())) return false;
            stop(e.getKey(), e.getValue());
            return true;
        });
        List<String> errors = new ArrayList<>();
        new TreeMap<>(byPort).forEach((port, health) -> {
            Listener listener = listeners.get(port);
            if (listener != null) {
                HealthCheck was = listener.health.getAndSet(health);
                if (!health.equals(was)) LOG.log(System.Logger.Level.DEBUG, "healthCheckNodePort {0}: {1}", address(port), health);
                return;
            }
            BindAddress address = address(port);
            try {
                listeners.put(port, start(address, health));
                LOG.log(System.Logger.Level.INFO, "healthCheckNodePort {0} of {1}: listening", address, health.service());
            } catch (IOException | RuntimeException e) {
                String error = "healthCheckNodePort " + address + " of " + health.service() + ": can not listen: "
                        + e.getMessage();
                LOG.log(System.Logger.Level.ERROR, error);
                errors.add(error);
            }
        });
        return errors;
    }

    private Listener start(BindAddress address, HealthCheck health) throws IOException {
        if (address.port() < 1 || address.port() > 65535) throw new IOException("not a port");
        AtomicReference<HealthCheck> snapshot = new AtomicReference<>(health);
        // stayClosed: a connection accepted while the group closes is closed as it joins.
        ChannelGroup channels = new DefaultChannelGroup(address.toString(), group.next(), true);
        HttpHandler handler = HttpHandler.everyRequest(() -> reply(snapshot.get(), proxyHealth.status().healthy()));
        channels.add(HttpServer.listen(group, address.host(), address.port(), handler, channels));
        return new Listener(channels, snapshot);
    }

    private void stop(int port, Listener listener) {
        // Also closes kept-alive connections, which would otherwise go on answering for a port
        // the load balancer should now find closed.
        listener.channels.close().awaitUninterruptibly();
        LOG.log(System.Logger.Level.INFO, "healthCheckNodePort {0} of {1}: closed", address(port), listener.health.get().service());
    }

    /** Ports are logged as host:port: MessageFormat would print 30000 as "30,000". */
    private BindAddress address(int port) {
        return new BindAddress("healthCheckNodePort", bindHost, port);
    }

    /** kube-proxy's reply, byte for byte: its JSON is a tab-indented template without a final newline. */
    private static HttpReply reply(HealthCheck health, boolean proxyHealthy) {
        int count = health.localEndpoints();
        String body = """
                {
                \t"service": {
                \t\t"namespace": %s,
                \t\t"name": %s
                \t},
                \t"localEndpoints": %d,
                \t"serviceProxyHealthy": %b
                }""".formatted(quote(health.service().namespace()), quote(health.service().name()), count, proxyHealthy);
        return HttpReply.json(count > 0 && proxyHealthy ? 200 : 503, body)
                .withHeader("X-Load-Balancing-Endpoint-Weight", Integer.toString(count));
    }

    /** Names are DNS labels, so this matches Go's %q; the escapes only keep odd input valid JSON. */
    private static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') out.append('\\').append(c);
            else if (c < 0x20) out.append("\\u%04x".formatted((int) c));
            else out.append(c);
        }
        return out.append('"').toString();
    }

    @Override
    public synchronized void close() {
        closed = true;
        listeners.forEach(this::stop);
        listeners.clear();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
