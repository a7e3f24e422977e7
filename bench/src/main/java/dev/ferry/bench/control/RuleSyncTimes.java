package dev.ferry.bench.control;

import dev.ferry.agent.lab.Commands;
import dev.ferry.agent.lab.Lab;
import dev.ferry.bench.Result;
import dev.ferry.bench.kubeproxy.IptablesRules;
import dev.ferry.bench.kubeproxy.KubeService;
import dev.ferry.bench.kubeproxy.NftablesRules;
import dev.ferry.bench.kubeproxy.ProxyConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * kube-proxy's tools doing the control plane's work for the same cluster, 10,000 services of 10
 * endpoints: {@code iptables-restore --noflush --counters} and {@code nft -f} loading the whole
 * ruleset into an empty node namespace, then one endpoint change after another ({@link RuleSyncs}).
 * Each time is the tool's process from start to exit, as kube-proxy pays it on every sync;
 * kube-proxy's own work before it (informers, diffing, writing the input) is not counted, so the
 * peers are timed at their cheapest.
 * <p>
 * Every full-sync trial starts from a fresh namespace; changes run in the last one.
 * <p>
 * The tools as they behave here (kernel 6.18, Debian 12), measured while building this: Debian's
 * default {@code iptables-restore} (nft backend) had not loaded 10,000 services after 12 minutes,
 * so iptables is {@code iptables-legacy-restore}: 5 trials and 50 changes, each change a
 * restore of all 10,000 KUBE-SERVICES jumps. {@code nft -f} takes kube-proxy's first sync, one
 * transaction, in minutes (roughly quadratic kernel time): 1 trial, then 200 changes.
 * Only a FULL run measures these; a quick one would spend its budget waiting for them.
 */
final class RuleSyncTimes {
    private static final String GROUP = "control";
    /** kube-proxy's single nftables transaction of 10,000 services took 156-169 s here. */
    private static final Duration TIMEOUT = Duration.ofMinutes(10);
    private static final ProxyConfig CONFIG = new ProxyConfig("10.244.0.0/14", "10.96.0.0/16", "192.168.254.11");

    /** A tool, with as many full-sync trials and changes as fit in a few minutes of it. */
    private record Tool(String subject, List<String> command, int trials, int changes) {
    }

    private static final Tool IPTABLES = new Tool("iptables-legacy-restore",
            List.of("iptables-legacy-restore", "--noflush", "--counters"), 5, 50);
    private static final Tool NFT = new Tool("nft -f", List.of("nft", "-f", "-"), 1, 200);

    private RuleSyncTimes() {
    }

    static List<Result> measure(int servicesCount) throws IOException {
        List<KubeService> services = services(servicesCount);
        List<Result> results = new ArrayList<>();
        for (Tool tool : List.of(IPTABLES, NFT)) {
            int trials = tool.trials();
            List<Double> full = new ArrayList<>();
            List<Double> change = new ArrayList<>();
            for (int trial = 0; trial < trials; trial++) {
                try (Lab lab = Lab.builder("fbr").node("n1").build()) {
                    String netns = lab.nodeNs("n1");
                    if (tool == IPTABLES) run(netns, tool, IptablesRules.jumps()); // once per node, as kube-proxy ensures them
                    full.add(run(netns, tool, tool == IPTABLES ? IptablesRules.restore(services, CONFIG)
                            : NftablesRules.ruleset(services, CONFIG)));
                    if (trial == trials - 1) change.addAll(changes(netns, tool, new ArrayList<>(services), tool.changes()));
                }
            }
            results.add(new Result(GROUP, ControlPlane.FULL_SYNC, tool.subject(), servicesCount, "time", "ms", false, full));
            for (int p : List.of(50, 99)) {
                results.add(new Result(GROUP, ControlPlane.CHANGE, tool.subject(), servicesCount, "p" + p, "ms", false,
                        List.of(ControlPlane.percentile(change, p))));
            }
            System.err.printf("control, %s: full sync %s ms; %d changes p50 %.1f p99 %.1f ms%n", tool.subject(), full,
                    change.size(), ControlPlane.percentile(change, 50), ControlPlane.percentile(change, 99));
        }
        return results;
    }

    /** One endpoint of one service after another gets a new address, round robin over the services. */
    private static List<Double> changes(String netns, Tool tool, List<KubeService> current, int count)
            throws IOException {
        List<Double> millis = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int index = (i * 7919) % current.size(); // spread over the chain, not always its head
            KubeService before = current.get(index);
            List<KubeService.Endpoint> endpoints = new ArrayList<>(before.endpoints());
            endpoints.set(0, new KubeService.Endpoint(address(200 << 16 | i), before.endpoints().getFirst().port()));
            KubeService after = new KubeService(before.namespace(), before.name(), before.portName(), before.clusterIp(),
                    before.port(), before.protocol(), before.nodePort(), endpoints);
            current.set(index, after);
            millis.add(run(netns, tool, tool == IPTABLES ? RuleSyncs.iptablesChange(current, CONFIG, before, after)
                    : RuleSyncs.nftablesChange(CONFIG, before, after)));
        }
        return millis;
    }

    /** The tool's wall time in ms, entering only the node's network namespace (nsenter: no /sys remount). */
    private static double run(String netns, Tool tool, String input) throws IOException {
        Path file = Files.createTempFile("ferry-rules-", ".txt");
        try {
            Files.writeString(file, input);
            List<String> command = new ArrayList<>(List.of("nsenter", "--net=/run/netns/" + netns));
            command.addAll(tool.command());
            long start = System.nanoTime();
            Commands.run(command, file, TIMEOUT);
            return (System.nanoTime() - start) / 1e6;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** 10,000 ClusterIP services in 10.96.0.0/16, each with 10 endpoints of its own in 10.244.0.0/14. */
    static List<KubeService> services(int count) {
        List<KubeService> services = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            List<KubeService.Endpoint> endpoints = new ArrayList<>();
            for (int j = 0; j < 10; j++) endpoints.add(new KubeService.Endpoint(address(244 << 16 | (i * 10 + j + 1)), 8080));
            services.add(new KubeService("bench", "svc-" + i, "http", "10.96." + ((i + 1) >> 8) + "." + ((i + 1) & 255),
                    80, "TCP", 0, endpoints));
        }
        return services;
    }

    /** 10.x.y.z from the low 24 bits. */
    private static String address(int low24) {
        return "10." + (low24 >> 16 & 255) + "." + (low24 >> 8 & 255) + "." + (low24 & 255);
    }
}
