package dev.ferry.bench.traffic;

import dev.ferry.agent.lab.Lab;
import dev.ferry.bench.kubeproxy.IptablesRules;
import dev.ferry.bench.kubeproxy.ProxyConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * kube-proxy's iptables mode on both nodes, through iptables-legacy: Debian's default
 * iptables-nft-restore needed 5 s for 1,000 services of 10 endpoints and had not finished 10,000
 * after 12 minutes (quadratic in the chains already loaded), where legacy takes about 12 s. The
 * rules are the same; the kernel walks them with x_tables instead of nf_tables' compat layer.
 */
record IptablesDataplane(Lab lab, TrafficLab.Cluster cluster) implements Dataplane {
    static final String RESTORE = "iptables-legacy-restore", IPTABLES = "iptables-legacy";

    @Override
    public void install(ServiceSet services) throws IOException {
        close();
        Path jumps = Files.createTempFile("ferry-fbt-", ".jumps"), rules = Files.createTempFile("ferry-fbt-", ".rules");
        try {
            Files.writeString(jumps, IptablesRules.jumps());
            for (String node : List.of(cluster.node1(), cluster.node2())) {
                ProxyConfig config = new ProxyConfig(Traffic.CLUSTER_CIDR, Traffic.SERVICE_CIDR, lab.nodeIp(node));
                Files.writeString(rules, IptablesRules.restore(services.services(), config));
                Shell.run(Shell.inNs(lab.nodeNs(node), RESTORE, "--noflush"), jumps);
                Shell.run(Shell.inNs(lab.nodeNs(node), RESTORE, "--noflush", "--counters"), rules);
            }
        } finally {
            Files.deleteIfExists(jumps);
            Files.deleteIfExists(rules);
        }
    }

    /** Flushes and deletes every chain of the filter and nat tables: the nodes had none before. */
    @Override
    public void close() {
        for (String node : List.of(cluster.node1(), cluster.node2())) {
            for (String table : List.of("filter", "nat")) {
                Shell.run(Shell.inNs(lab.nodeNs(node), IPTABLES, "-t", table, "-F"));
                Shell.run(Shell.inNs(lab.nodeNs(node), IPTABLES, "-t", table, "-X"));
            }
        }
    }
}
