package dev.ferry.bench;

import dev.ferry.agent.lab.Client;
import dev.ferry.agent.lab.Lab;
import dev.ferry.agent.lab.netpol.NetpolLab;
import dev.ferry.agent.lab.netpol.NetpolModel;
import dev.ferry.agent.model.Protocol;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.ferry.agent.lab.netpol.Policies.*;

/**
 * TCP connection rate (connect, one request and answer, close; one at a time) from a pod to a
 * pod on the other node and to one on its own node, with the agent on both nodes: without any
 * policy, through an allowing ingress policy on the server, and through allowing ingress and
 * egress policies on both ends. Every connection is a new flow, so every one is judged. Reported
 * as the median of the trials, their spread, and the ratio to "no policy" measured in the same run.
 * <p>
 * Usage: PolicyConnectionRate [trials, default 5] [seconds per trial, default 3]
 */
public final class PolicyConnectionRate {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final NetpolModel MODEL = NetpolModel.builder().ports(80).protocols(Protocol.TCP)
            .namespace("x").pod("client", "node1", "10.244.1.10").pod("remote", "node2", "10.244.2.10")
            .pod("local", "node1", "10.244.1.11").build();

    private PolicyConnectionRate() {
    }

    public static void main(String[] args) throws Exception {
        int trials = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Duration trial = Duration.ofSeconds(args.length > 1 ? Integer.parseInt(args[1]) : 3);
        NetworkPolicy serverIngress = policy("x", "servers-admit-client").selecting(in("pod", "remote", "local"))
                .ingress(from(pods(labels("pod", "client"))).on(port(80))).build();
        NetworkPolicy clientEgress = policy("x", "client-reaches-servers").selecting(labels("pod", "client"))
                .types("Ingress", "Egress")
                .egress(to(pods(in("pod", "remote", "local"))).on(port(80))).build();
        Map<String, List<NetworkPolicy>> cases = new LinkedHashMap<>();
        cases.put("no policy", List.of());
        cases.put("ingress allowed", List.of(serverIngress));
        cases.put("ingress + egress allowed", List.of(serverIngress, clientEgress));

        try (NetpolLab cluster = NetpolLab.start(Lab.builder("fbench").node("node1", "10.244.1.0/24")
                .node("node2", "10.244.2.0/24"), MODEL, TIMEOUT)) {
            // One client opens thousands of connections a second: without reusing TIME_WAIT ports
            // it runs out of them within seconds and measures the kernel's port search instead.
            cluster.lab().exec(cluster.lab().podNs("x-client"), "sysctl", "-q", "-w", "net.ipv4.tcp_tw_reuse=1",
                    "net.ipv4.ip_local_port_range=1024 60999");
            Client client = cluster.lab().client("x-client");
            System.out.printf("%-26s %-8s %12s %18s %8s%n", "policy", "server", "conn/s", "spread (min-max)", "ratio");
            for (String server : List.of("remote", "local")) {
                String ip = MODEL.ip("x/" + server);
                // Trials take turns, so drift over the run (TIME_WAIT sockets, map growth) hits every case alike.
                Map<String, List<Double>> rates = new LinkedHashMap<>();
                for (int i = 0; i < trials; i++) {
                    for (var c : cases.entrySet()) {
                        cluster.apply(MODEL, c.getValue());
                        rate(client, ip, Duration.ofMillis(500)); // warm-up after the change
                        rates.computeIfAbsent(c.getKey(), k -> new ArrayList<>()).add(rate(client, ip, trial));
                    }
                }
                double baseline = median(rates.get("no policy"));
                rates.forEach((name, r) -> System.out.printf("%-26s %-8s %12.0f %8.0f-%-9.0f %8.3f%n", name, server,
                        median(r), r.stream().mapToDouble(d -> d).min().orElseThrow(),
                        r.stream().mapToDouble(d -> d).max().orElseThrow(), median(r) / baseline));
            }
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    /** Connections per second over {@code duration}; any failure ends the run, since nothing here may drop. */
    private static double rate(Client client, String ip, Duration duration) throws IOException {
        long end = System.nanoTime() + duration.toNanos();
        long start = System.nanoTime();
        int done = 0;
        while (System.nanoTime() < end) {
            client.tcpRequest(ip, 80, TIMEOUT);
            done++;
        }
        return done / ((System.nanoTime() - start) / 1e9);
    }
}
