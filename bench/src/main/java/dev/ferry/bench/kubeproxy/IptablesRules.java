package dev.ferry.bench.kubeproxy;

import java.util.List;
import java.util.Locale;

import static dev.ferry.bench.kubeproxy.ProxyConfig.MASQUERADE_MARK;

/**
 * The rules kube-proxy's iptables mode writes (pkg/proxy/iptables/proxier.go, as of Kubernetes
 * 1.29-1.33), as iptables-restore input: a pure function of the services, so benchmarks can
 * install exactly what kube-proxy would for the same cluster and time the tools doing it.
 *
 * <p>{@link #jumps()} is what kube-proxy (and kubelet, for KUBE-FIREWALL) ensure once in the
 * built-in chains; {@link #restore} is one full sync, which kube-proxy hands to
 * {@code iptables-restore --noflush --counters}. Apply jumps first: a chain line flushes its chain.
 * Per service port with endpoints: one KUBE-SERVICES rule per ClusterIP:port to KUBE-SVC-&lt;hash&gt;,
 * KUBE-SVC-* choosing an endpoint with {@code -m statistic --mode random --probability 1/(n-i)},
 * KUBE-SEP-* marking hairpin traffic for masquerade and DNATing; NodePorts through KUBE-NODEPORTS
 * and KUBE-EXT-*, reached by the addrtype LOCAL rule at the end of KUBE-SERVICES. Above 1,000
 * endpoints kube-proxy drops the per-endpoint comments ("large cluster mode"), and so does this.
 * Service order is the caller's list order (kube-proxy's is Go map order, i.e. random).
 * Left out: externalIPs, LoadBalancer, session affinity and the traffic policies "Local",
 * which the benchmarks do not use; and the empty KUBE-*-CANARY chains.
 */
public final class IptablesRules {
    /** kube-proxy's largeClusterEndpointsThreshold. */
    static final int LARGE_CLUSTER_ENDPOINTS = 1000;

    private IptablesRules() {
    }

    /**
     * The jumps from the built-in chains, in kube-proxy's order; each is prepended (-I), as
     * EnsureRule(Prepend) does, so the last listed ends up first. iptables-restore --noflush input.
     */
    public static String jumps() {
        return """
                *filter
                :KUBE-EXTERNAL-SERVICES - [0:0]
                :KUBE-NODEPORTS - [0:0]
                :KUBE-SERVICES - [0:0]
                :KUBE-FORWARD - [0:0]
                :KUBE-PROXY-FIREWALL - [0:0]
                :KUBE-FIREWALL - [0:0]
                -I INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
                -I FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
                -I INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS
                -I FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
                -I OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
                -I FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
                -I INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
                -I OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
                -I FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
                -I INPUT -j KUBE-FIREWALL
                -I OUTPUT -j KUBE-FIREWALL
                COMMIT
                *nat
                :KUBE-SERVICES - [0:0]
                :KUBE-POSTROUTING - [0:0]
                -I OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
                -I PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
                -I POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
                COMMIT
                """;
    }

    /** One full sync: the filter and nat tables' kube-proxy chains, declared (so flushed) and filled. */
    public static String restore(List<KubeService> services, ProxyConfig config) {
        int endpoints = services.stream().mapToInt(s -> s.endpoints().size()).sum();
        boolean largeCluster = endpoints > LARGE_CLUSTER_ENDPOINTS;
        StringBuilder filterRules = new StringBuilder();
        StringBuilder natChains = new StringBuilder();
        StringBuilder natRules = new StringBuilder();
        filterRules.append("-A KUBE-FIREWALL -m comment --comment \"block incoming localnet connections\" -d 127.0.0.0/8"
                + " ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP\n");
        natRules.append("-A KUBE-POSTROUTING -m mark ! --mark ").append(MASQUERADE_MARK).append('/').append(MASQUERADE_MARK)
                .append(" -j RETURN\n")
                .append("-A KUBE-POSTROUTING -j MARK --xor-mark ").append(MASQUERADE_MARK).append('\n')
                .append("-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\""
                        + " -j MASQUERADE --random-fully\n")
                .append("-A KUBE-MARK-MASQ -j MARK --or-mark ").append(MASQUERADE_MARK).append('\n');
        for (KubeService service : services) {
            if (service.endpoints().isEmpty()) {
                rejectRules(service, filterRules);
            } else {
                serviceRules(service, config, largeCluster, natChains, natRules);
            }
        }
        natRules.append("-A KUBE-SERVICES -m comment --comment \"kubernetes service nodeports; NOTE: this must be the last"
                + " rule in this chain\" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS\n");
        filterRules.append("-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP\n")
                .append("-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding rules\" -m mark --mark ")
                .append(MASQUERADE_MARK).append('/').append(MASQUERADE_MARK).append(" -j ACCEPT\n")
                .append("-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding conntrack rule\" -m conntrack"
                        + " --ctstate RELATED,ESTABLISHED -j ACCEPT\n");
        return "*filter\n"
                + ":KUBE-SERVICES - [0:0]\n:KUBE-EXTERNAL-SERVICES - [0:0]\n:KUBE-FORWARD - [0:0]\n"
                + ":KUBE-NODEPORTS - [0:0]\n:KUBE-PROXY-FIREWALL - [0:0]\n:KUBE-FIREWALL - [0:0]\n"
                + filterRules + "COMMIT\n"
                + "*nat\n"
                + ":KUBE-SERVICES - [0:0]\n:KUBE-NODEPORTS - [0:0]\n:KUBE-POSTROUTING - [0:0]\n:KUBE-MARK-MASQ - [0:0]\n"
                + natChains + natRules + "COMMIT\n";
    }

    /** KUBE-SVC-&lt;16 characters&gt;: sha256 of "ns/name:port" + protocol, base32. */
    public static String serviceChain(KubeService service) {
        return "KUBE-SVC-" + ChainHash.of(service.portNameString() + service.proto(), 16);
    }

    /** KUBE-EXT-&lt;same hash&gt;: where NodePort traffic goes before the service chain. */
    public static String externalChain(KubeService service) {
        return "KUBE-EXT-" + ChainHash.of(service.portNameString() + service.proto(), 16);
    }

    /** KUBE-SEP-&lt;16 characters&gt;: sha256 of "ns/name:port" + protocol + "ip:port", base32. */
    public static String endpointChain(KubeService service, KubeService.Endpoint endpoint) {
        return "KUBE-SEP-" + ChainHash.of(service.portNameString() + service.proto() + endpoint.hostPort(), 16);
    }

    private static void serviceRules(KubeService s, ProxyConfig config, boolean largeCluster, StringBuilder chains,
                                     StringBuilder rules) {
        String proto = s.proto();
        String svcChain = serviceChain(s);
        String match = "-m " + proto + " -p " + proto + " -d " + s.clusterIp() + " --dport " + s.port();
        rules.append("-A KUBE-SERVICES -m comment --comment \"").append(s.portNameString()).append(" cluster IP\" ")
                .append(match).append(" -j ").append(svcChain).append('\n');
        if (s.nodePort() != 0) {
            String extChain = externalChain(s);
            chains.append(':').append(extChain).append(" - [0:0]\n");
            rules.append("-A KUBE-NODEPORTS -m comment --comment ").append(s.portNameString()).append(" -m ").append(proto)
                    .append(" -p ").append(proto).append(" --dport ").append(s.nodePort()).append(" -j ").append(extChain).append('\n');
        }
        // Off-cluster sources reaching a ClusterIP are masqueraded (detect-local by --cluster-cidr).
        rules.append("-A ").append(svcChain).append(" -m comment --comment \"").append(s.portNameString())
                .append(" cluster IP\" ").append(match).append(" ! -s ").append(config.clusterCidr())
                .append(" -j KUBE-MARK-MASQ\n");
        if (s.nodePort() != 0) {
            String extChain = externalChain(s);
            rules.append("-A ").append(extChain).append(" -m comment --comment \"masquerade traffic for ")
                    .append(s.portNameString()).append(" external destinations\" -j KUBE-MARK-MASQ\n");
            rules.append("-A ").append(extChain).append(" -j ").append(svcChain).append('\n');
        }
        chains.append(':').append(svcChain).append(" - [0:0]\n");
        List<KubeService.Endpoint> endpoints = s.endpoints();
        for (int i = 0; i < endpoints.size(); i++) {
            KubeService.Endpoint endpoint = endpoints.get(i);
            rules.append("-A ").append(svcChain);
            comment(rules, "\"" + s.portNameString() + " -> " + endpoint.hostPort() + "\"", largeCluster);
            if (i < endpoints.size() - 1) {
                rules.append(" -m statistic --mode random --probability ").append(probability(endpoints.size() - i));
            }
            rules.append(" -j ").append(endpointChain(s, endpoint)).append('\n');
        }
        for (KubeService.Endpoint endpoint : endpoints) {
            String sepChain = endpointChain(s, endpoint);
            chains.append(':').append(sepChain).append(" - [0:0]\n");
            rules.append("-A ").append(sepChain);
            comment(rules, s.portNameString(), largeCluster);
            rules.append(" -s ").append(endpoint.ip()).append(" -j KUBE-MARK-MASQ\n");
            rules.append("-A ").append(sepChain);
            comment(rules, s.portNameString(), largeCluster);
            rules.append(" -m ").append(proto).append(" -p ").append(proto).append(" -j DNAT --to-destination ")
                    .append(endpoint.hostPort()).append('\n');
        }
    }

    /** A service without endpoints is rejected in the filter table, as kube-proxy does. */
    private static void rejectRules(KubeService s, StringBuilder filterRules) {
        String proto = s.proto();
        String comment = " -m comment --comment \"" + s.portNameString() + " has no endpoints\"";
        filterRules.append("-A KUBE-SERVICES").append(comment).append(" -m ").append(proto).append(" -p ").append(proto)
                .append(" -d ").append(s.clusterIp()).append(" --dport ").append(s.port()).append(" -j REJECT\n");
        if (s.nodePort() != 0) {
            filterRules.append("-A KUBE-EXTERNAL-SERVICES").append(comment).append(" -m addrtype --dst-type LOCAL -m ")
                    .append(proto).append(" -p ").append(proto).append(" --dport ").append(s.nodePort()).append(" -j REJECT\n");
        }
    }

    /** appendServiceCommentLocked: kube-proxy leaves per-endpoint comments out in large clusters. */
    private static void comment(StringBuilder rule, String comment, boolean largeCluster) {
        if (!largeCluster) rule.append(" -m comment --comment ").append(comment);
    }

    /** kube-proxy's probability(n): 1/n with ten decimals. */
    private static String probability(int n) {
        return String.format(Locale.ROOT, "%.10f", 1.0 / n);
    }
}
