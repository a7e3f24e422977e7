package dev.ferry.bench.traffic;

import dev.ferry.agent.lab.Lab;
import dev.ferry.bench.kubeproxy.KubeService;
import dev.ferry.bench.kubeproxy.NftablesRules;
import dev.ferry.bench.kubeproxy.ProxyConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * kube-proxy's nftables mode on both nodes. kube-proxy sends its first sync as one transaction;
 * on this kernel (6.18) one transaction of 10,000 services took 169 s of kernel time (1,000: 1.5 s,
 * so quadratic), 1,000 services per transaction 21 s in all. Installed in chunks of
 * {@link #SERVICES_PER_TRANSACTION}; the resulting ruleset is the same.
 */
record NftablesDataplane(Lab lab, TrafficLab.Cluster cluster) implements Dataplane {
    static final int SERVICES_PER_TRANSACTION = 1000;

    @Override
    public void install(ServiceSet services) throws IOException {
        close();
        Path file = Files.createTempFile("ferry-fbt-", ".nft");
        try {
            for (String node : List.of(cluster.node1(), cluster.node2())) {
                ProxyConfig config = new ProxyConfig(Traffic.CLUSTER_CIDR, Traffic.SERVICE_CIDR, lab.nodeIp(node));
                List<KubeService> all = services.services();
                Files.writeString(file, NftablesRules.ruleset(List.of(), config));
                Shell.run(Shell.inNs(lab.nodeNs(node), "nft", "-f", file.toString()));
                for (int from = 0; from < all.size(); from += SERVICES_PER_TRANSACTION) {
                    List<KubeService> chunk = all.subList(from, Math.min(all.size(), from + SERVICES_PER_TRANSACTION));
                    Files.writeString(file, NftablesRules.services(chunk, config));
                    Shell.run(Shell.inNs(lab.nodeNs(node), "nft", "-f", file.toString()));
                }
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Override
    public void close() {
        for (String node : List.of(cluster.node1(), cluster.node2())) {
            String ns = lab.nodeNs(node);
            if (Shell.run(Shell.inNs(ns, "nft", "list", "tables")).contains(NftablesRules.TABLE)) {
                Shell.run(Shell.inNs(ns, "nft", "delete", "table", "ip", "kube-proxy"));
            }
        }
    }
}
