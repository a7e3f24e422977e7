package dev.ferry.bench.control;

import dev.ferry.bench.kubeproxy.IptablesRules;
import dev.ferry.bench.kubeproxy.KubeService;
import dev.ferry.bench.kubeproxy.NftablesRules;
import dev.ferry.bench.kubeproxy.ProxyConfig;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RuleSyncsTest {
    private static final ProxyConfig CONFIG = new ProxyConfig("10.244.0.0/14", "10.96.0.0/16", "192.168.254.11");
    private final List<KubeService> services = new ArrayList<>(RuleSyncTimes.services(2));
    private final KubeService before = services.getFirst();
    private final KubeService after = withFirstEndpoint(before, "10.200.0.1");

    private static KubeService withFirstEndpoint(KubeService s, String ip) {
        List<KubeService.Endpoint> endpoints = new ArrayList<>(s.endpoints());
        endpoints.set(0, new KubeService.Endpoint(ip, 8080));
        return new KubeService(s.namespace(), s.name(), s.portName(), s.clusterIp(), s.port(), s.protocol(), s.nodePort(), endpoints);
    }

    @Test
    void anIptablesPartialSyncRewritesEveryServiceJumpButOnlyTheChangedServicesChains() {
        services.set(0, after);
        String change = RuleSyncs.iptablesChange(services, CONFIG, before, after);
        String untouched = IptablesRules.serviceChain(services.get(1));
        String gone = IptablesRules.endpointChain(before, before.endpoints().getFirst());

        assertEquals(2, change.lines().filter(l -> l.startsWith("-A KUBE-SERVICES") && l.contains("cluster IP")).count(), change);
        assertTrue(change.contains("-j " + untouched), "the other service's jump stays");
        assertFalse(change.contains(":" + untouched) || change.contains("-A " + untouched), "its chain is not rewritten");
        assertTrue(change.contains(":" + IptablesRules.serviceChain(after) + " - [0:0]"));
        assertTrue(change.contains("-j DNAT --to-destination 10.200.0.1:8080"));
        assertTrue(change.indexOf(":" + gone) < change.indexOf("-X " + gone), "flushed before deleted:\n" + change);
    }

    @Test
    void anNftablesChangeIsTheServiceChainRefilledAndOneEndpointChainSwapped() {
        String change = RuleSyncs.nftablesChange(CONFIG, before, after);
        String gone = NftablesRules.endpointChain(before, before.endpoints().getFirst());
        String kept = NftablesRules.endpointChain(before, before.endpoints().get(1));

        assertTrue(change.startsWith("flush chain ip kube-proxy " + NftablesRules.serviceChain(after) + "\n"), change);
        assertTrue(change.contains("add chain ip kube-proxy " + NftablesRules.endpointChain(after, after.endpoints().getFirst())));
        assertFalse(change.contains("add chain ip kube-proxy " + kept), "unchanged endpoints are left alone");
        assertTrue(change.contains("numgen random mod 10 vmap"));
        assertTrue(change.endsWith("flush chain ip kube-proxy " + gone + "\ndelete chain ip kube-proxy " + gone + "\n"), change);
        assertFalse(change.contains("service-ips"), "the map element does not change");
    }
}
