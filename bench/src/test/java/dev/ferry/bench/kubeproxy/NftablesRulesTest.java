package dev.ferry.bench.kubeproxy;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class NftablesRulesTest {
    @Test
    void twoServicesAreWrittenAsKubeProxyWritesThem() throws Exception {
        assertEquals(TwoServices.golden("two-services.nft"), NftablesRules.ruleset(TwoServices.BOTH, TwoServices.CONFIG));
    }

    @Test
    void chainNamesHashLikeKubeProxy() {
        // The names kube-proxy's own pkg/proxy/nftables/proxier_test.go expects.
        assertEquals("service-ULMVA6XW-ns1/svc1/tcp/p80", NftablesRules.serviceChain(TwoServices.CLUSTER_IP));
        assertEquals("endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80",
                NftablesRules.endpointChain(TwoServices.CLUSTER_IP, TwoServices.CLUSTER_IP.endpoints().getFirst()));
        assertEquals("external-42NFTM6N-ns2/svc2/tcp/p80", NftablesRules.externalChain(TwoServices.NODE_PORT));
    }

    @Test
    void everyEndpointChainExistsBeforeTheVerdictMapNamingIt() {
        List<String> lines = NftablesRules.ruleset(TwoServices.many(2, 10), TwoServices.CONFIG).lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).contains("numgen random mod 10 vmap")) continue;
            for (String target : lines.get(i).split("goto ")) {
                String chain = target.split(" ")[0];
                if (!chain.startsWith("endpoint-")) continue;
                assertTrue(lines.subList(0, i).contains("add chain ip kube-proxy " + chain), chain);
            }
        }
    }

    @Test
    void aServiceWithoutEndpointsGoesToTheRejectChain() {
        KubeService empty = new KubeService("ns6", "svc6", "p80", "172.30.0.46", 80, "TCP", 0, List.of());
        String rules = NftablesRules.ruleset(List.of(empty), TwoServices.CONFIG);
        assertTrue(rules.contains("add element ip kube-proxy no-endpoint-services { 172.30.0.46 . tcp . 80"
                + " comment \"ns6/svc6:p80\" : goto reject-chain }\n"), rules);
        assertFalse(rules.contains("add element ip kube-proxy service-ips"), rules);
    }
}
