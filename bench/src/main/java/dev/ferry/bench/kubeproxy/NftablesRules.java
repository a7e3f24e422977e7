package dev.ferry.bench.kubeproxy;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static dev.ferry.bench.kubeproxy.ProxyConfig.MASQUERADE_MARK;

/**
 * The ruleset kube-proxy's nftables mode writes (pkg/proxy/nftables/proxier.go, Kubernetes
 * 1.31-1.33), as {@code nft -f} input: a pure function of the services, like {@link IptablesRules}.
 *
 * <p>One table {@code ip kube-proxy}. Every ClusterIP:proto:port is one element of the verdict
 * map {@code service-ips} (key {@code ipv4_addr . inet_proto . inet_service}), every NodePort one
 * of {@code service-nodeports}; so finding the service is one hash lookup whatever their number.
 * A service chain masquerades off-cluster sources and picks an endpoint with
 * {@code numgen random mod N vmap}; an endpoint chain marks hairpin traffic and DNATs; the
 * {@code masquerading} chain in postrouting masquerades marked packets. Services without endpoints
 * go to {@code no-endpoint-services} / {@code no-endpoint-nodeports} and are rejected.
 * Written as kube-proxy's first full sync sends it (table, sets and base chains, then per service);
 * {@code delete table ip kube-proxy} removes all of it. Left out as in {@link IptablesRules}:
 * externalIPs, LoadBalancer, session affinity, traffic policy Local.
 */
public final class NftablesRules {
    public static final String TABLE = "ip kube-proxy";

    private NftablesRules() {
    }

    public static String ruleset(List<KubeService> services, ProxyConfig config) {
        return base(config) + services(services, config);
    }

    /**
     * Only the per-service part, for adding services to a table {@link #ruleset} created: the
     * same rules split over several transactions.
     */
    public static String services(List<KubeService> services, ProxyConfig config) {
        StringBuilder out = new StringBuilder();
        for (KubeService service : services) {
            out.append('\n');
            if (service.endpoints().isEmpty()) {
                noEndpoints(service, out);
            } else {
                serviceRules(service, config, out);
            }
        }
        return out.toString();
    }

    /** "ULMVA6XW-ns1/svc1/tcp/p80": a hash of the name, then the name (kube-proxy's servicePortChainNameBase). */
    static String serviceBase(KubeService s) {
        String name = s.namespace() + "/" + s.name() + "/" + s.proto() + "/" + s.portName();
        return ChainHash.of(name, 8) + "-" + name;
    }

    /** "5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80" (servicePortEndpointChainNameBase, IPv4). */
    static String endpointBase(KubeService s, KubeService.Endpoint endpoint) {
        String name = s.namespace() + "/" + s.name() + "/" + s.proto() + "/" + s.portName() + "__" + endpoint.ip() + "/"
                + endpoint.port();
        return ChainHash.of(name, 8) + "-" + name;
    }

    public static String serviceChain(KubeService s) {
        return "service-" + serviceBase(s);
    }

    public static String externalChain(KubeService s) {
        return "external-" + serviceBase(s);
    }

    public static String endpointChain(KubeService s, KubeService.Endpoint endpoint) {
        return "endpoint-" + endpointBase(s, endpoint);
    }

    private static String base(ProxyConfig config) {
        return """
                add table ip kube-proxy { comment "rules for kube-proxy" ; }

                add set ip kube-proxy cluster-ips { type ipv4_addr ; comment "Active ClusterIPs" ; }
                add set ip kube-proxy nodeport-ips { type ipv4_addr ; comment "IPs that accept NodePort traffic" ; }

                add map ip kube-proxy firewall-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "destinations that are subject to LoadBalancerSourceRanges" ; }
                add map ip kube-proxy no-endpoint-nodeports { type inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to service nodeports with no endpoints" ; }
                add map ip kube-proxy no-endpoint-services { type ipv4_addr . inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to services with no endpoints" ; }
                add map ip kube-proxy service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ; }
                add map ip kube-proxy service-nodeports { type inet_proto . inet_service : verdict ; comment "NodePort traffic" ; }

                add chain ip kube-proxy cluster-ips-check
                add chain ip kube-proxy filter-prerouting-pre-dnat { type filter hook prerouting priority -110 ; }
                add chain ip kube-proxy filter-output-pre-dnat { type filter hook output priority -110 ; }
                add chain ip kube-proxy filter-forward { type filter hook forward priority 0 ; }
                add chain ip kube-proxy filter-input { type filter hook input priority 0 ; }
                add chain ip kube-proxy filter-output { type filter hook output priority 0 ; }
                add chain ip kube-proxy firewall-check
                add chain ip kube-proxy mark-for-masquerade
                add chain ip kube-proxy masquerading
                add chain ip kube-proxy nat-output { type nat hook output priority -100 ; }
                add chain ip kube-proxy nat-postrouting { type nat hook postrouting priority 100 ; }
                add chain ip kube-proxy nat-prerouting { type nat hook prerouting priority -100 ; }
                add chain ip kube-proxy nodeport-endpoints-check
                add chain ip kube-proxy reject-chain { comment "helper for @no-endpoint-services / @no-endpoint-nodeports" ; }
                add chain ip kube-proxy services
                add chain ip kube-proxy service-endpoints-check

                add rule ip kube-proxy cluster-ips-check ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"
                add rule ip kube-proxy cluster-ips-check ip daddr { %1$s } drop comment "Drop traffic to unallocated ClusterIPs"
                add rule ip kube-proxy filter-prerouting-pre-dnat ct state new jump firewall-check
                add rule ip kube-proxy filter-forward ct state new jump service-endpoints-check
                add rule ip kube-proxy filter-forward ct state new jump cluster-ips-check
                add rule ip kube-proxy filter-input ct state new jump nodeport-endpoints-check
                add rule ip kube-proxy filter-input ct state new jump service-endpoints-check
                add rule ip kube-proxy filter-output ct state new jump service-endpoints-check
                add rule ip kube-proxy filter-output-pre-dnat ct state new jump firewall-check
                add rule ip kube-proxy filter-output ct state new jump cluster-ips-check
                add rule ip kube-proxy firewall-check ip daddr . meta l4proto . th dport vmap @firewall-ips
                add rule ip kube-proxy mark-for-masquerade mark set mark or %2$s
                add rule ip kube-proxy masquerading mark and %2$s == 0 return
                add rule ip kube-proxy masquerading mark set mark xor %2$s
                add rule ip kube-proxy masquerading masquerade fully-random
                add rule ip kube-proxy nat-output jump services
                add rule ip kube-proxy nat-postrouting jump masquerading
                add rule ip kube-proxy nat-prerouting jump services
                add rule ip kube-proxy nodeport-endpoints-check ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports
                add rule ip kube-proxy reject-chain reject
                add rule ip kube-proxy services ip daddr . meta l4proto . th dport vmap @service-ips
                add rule ip kube-proxy services ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports

                add element ip kube-proxy nodeport-ips { %3$s }
                add rule ip kube-proxy service-endpoints-check ip daddr . meta l4proto . th dport vmap @no-endpoint-services
                """.formatted(config.serviceCidr(), MASQUERADE_MARK, config.nodeIp());
    }

    private static void serviceRules(KubeService s, ProxyConfig config, StringBuilder out) {
        String svc = serviceChain(s);
        List<KubeService.Endpoint> endpoints = s.endpoints();
        out.append("# ").append(s.portNameString()).append('\n');
        out.append("add chain ip kube-proxy ").append(svc).append('\n');
        out.append("add rule ip kube-proxy ").append(svc).append(" ip daddr ").append(s.clusterIp())
                .append(" ip saddr != ").append(config.clusterCidr()).append(" jump mark-for-masquerade\n");
        if (s.nodePort() != 0) {
            String ext = externalChain(s);
            out.append("add chain ip kube-proxy ").append(ext).append('\n');
            out.append("add rule ip kube-proxy ").append(ext).append(" jump mark-for-masquerade\n");
            out.append("add rule ip kube-proxy ").append(ext).append(" goto ").append(svc).append('\n');
        }
        for (KubeService.Endpoint endpoint : endpoints) {
            String chain = endpointChain(s, endpoint);
            out.append("add chain ip kube-proxy ").append(chain).append('\n');
            out.append("add rule ip kube-proxy ").append(chain).append(" ip saddr ").append(endpoint.ip())
                    .append(" jump mark-for-masquerade\n");
            out.append("add rule ip kube-proxy ").append(chain).append(" meta l4proto ").append(s.proto())
                    .append(" dnat to ").append(endpoint.hostPort()).append('\n');
        }
        // After the endpoint chains: a verdict map may only name chains that exist already.
        String choices = IntStream.range(0, endpoints.size())
                .mapToObj(i -> i + " : goto " + endpointChain(s, endpoints.get(i))).collect(Collectors.joining(" , "));
        out.append("add rule ip kube-proxy ").append(svc).append(" numgen random mod ").append(endpoints.size())
                .append(" vmap { ").append(choices).append(" }\n");
        out.append("add element ip kube-proxy cluster-ips { ").append(s.clusterIp()).append(" }\n");
        out.append("add element ip kube-proxy service-ips { ").append(s.clusterIp()).append(" . ").append(s.proto())
                .append(" . ").append(s.port()).append(" : goto ").append(svc).append(" }\n");
        if (s.nodePort() != 0) {
            out.append("add element ip kube-proxy service-nodeports { ").append(s.proto()).append(" . ").append(s.nodePort())
                    .append(" : goto ").append(externalChain(s)).append(" }\n");
        }
    }

    /** No endpoints: the ClusterIP (and NodePort) go to reject-chain through the no-endpoint maps. */
    private static void noEndpoints(KubeService s, StringBuilder out) {
        String comment = " comment \"" + s.portNameString() + "\" : goto reject-chain }\n";
        out.append("# ").append(s.portNameString()).append('\n');
        out.append("add element ip kube-proxy cluster-ips { ").append(s.clusterIp()).append(" }\n");
        out.append("add element ip kube-proxy no-endpoint-services { ").append(s.clusterIp()).append(" . ")
                .append(s.proto()).append(" . ").append(s.port()).append(comment);
        if (s.nodePort() != 0) {
            out.append("add element ip kube-proxy no-endpoint-nodeports { ").append(s.proto()).append(" . ")
                    .append(s.nodePort()).append(comment);
        }
    }
}
