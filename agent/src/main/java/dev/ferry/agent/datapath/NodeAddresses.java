package dev.ferry.agent.datapath;

import dev.ferry.agent.model.Cidr;
import dev.ferry.agent.model.Ipv4;

import java.net.Inet4Address;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The IPv4 addresses NodePorts answer on: every local address of the agent's network namespace
 * (loopback excluded, as kube-proxy's nftables mode does), narrowed to --nodeport-addresses
 * when given. Re-read every second; a change is handed on.
 */
public final class NodeAddresses implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(NodeAddresses.class.getName());

    private final List<Cidr> filter;
    private final Consumer<List<Inet4Address>> onChange;
    private volatile boolean running = true;
    private volatile List<Inet4Address> all;
    private volatile List<Inet4Address> current;
    private Thread thread;

    /** @param onChange gets the NodePort addresses after any local address changed */
    public NodeAddresses(List<Cidr> filter, Consumer<List<Inet4Address>> onChange) {
        this.filter = List.copyOf(filter);
        this.onChange = onChange;
        this.all = read();
        this.current = narrow(all, this.filter);
    }

    /** The NodePort addresses. */
    public List<Inet4Address> current() {
        return current;
    }

    /** Every local IPv4 address but loopback: what NetworkPolicy treats as this node. */
    public List<Inet4Address> all() {
        return all;
    }

    public NodeAddresses start(Duration every) {
        thread = Thread.ofPlatform().name("node-addresses").daemon().start(() -> {
            while (running) {
                try {
                    Thread.sleep(every);
                } catch (InterruptedException e) {
                    return;
                }
                List<Inet4Address> now = read();
                if (!now.equals(all)) {
                    all = now;
                    current = narrow(now, filter);
                    LOG.log(System.Logger.Level.INFO, "node addresses: {0}; for NodePorts: {1}", now, current);
                    onChange.accept(current);
                }
            }
        });
        return this;
    }

    /** The sorted local IPv4 addresses, loopback left out. */
    static List<Inet4Address> read() {
        List<Inet4Address> out = new ArrayList<>();
        byInterface(List.of()).values().forEach(out::addAll);
        out.sort(Ipv4::compare);
        return List.copyOf(out);
    }

    private static List<Inet4Address> narrow(List<Inet4Address> addresses, List<Cidr> filter) {
        return addresses.stream().filter(a -> inside(filter, a)).toList();
    }

    /** Interface name -> its IPv4 addresses inside {@code filter}, loopback left out; interfaces without any too. */
    public static Map<String, List<Inet4Address>> byInterface(List<Cidr> filter) {
        Map<String, List<Inet4Address>> out = new TreeMap<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (var address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address v4 && !v4.isLoopbackAddress() && inside(filter, v4)) {
                        out.computeIfAbsent(nic.getName(), n -> new ArrayList<>()).add(v4);
                    }
                }
            }
        } catch (SocketException e) {
            LOG.log(System.Logger.Level.WARNING, "listing node addresses: {0}", e.getMessage());
        }
        return out;
    }

    /** --nodeport-addresses semantics: an empty filter admits every address. */
    static boolean inside(List<Cidr> filter, Inet4Address address) {
        return filter.isEmpty() || filter.stream().anyMatch(c -> c.contains(address));
    }

    @Override
    public void close() {
        running = false;
        if (thread != null) thread.interrupt();
    }
}
