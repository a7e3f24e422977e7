package dev.ferry.bench.kubeproxy;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class IptablesRulesTest {
    @Test
    void twoServicesAreWrittenAsKubeProxyWritesThem() throws Exception {
        assertEquals(TwoServices.golden("two-services.iptables-restore"),
                IptablesRules.restore(TwoServices.BOTH, TwoServices.CONFIG));
    }

    @Test
    void chainNamesHashLikeKubeProxy() {
        // The names kube-proxy's own pkg/proxy/iptables/proxier_test.go expects for ns1/svc1:p80 -> 10.180.0.1:80.
        assertEquals("KUBE-SVC-XPGD46QRK7WJZT7O", IptablesRules.serviceChain(TwoServices.CLUSTER_IP));
        assertEquals("KUBE-EXT-XPGD46QRK7WJZT7O", IptablesRules.externalChain(TwoServices.CLUSTER_IP));
        assertEquals("KUBE-SEP-SXIVWICOYRO3J4NJ",
                IptablesRules.endpointChain(TwoServices.CLUSTER_IP, TwoServices.CLUSTER_IP.endpoints().getFirst()));
    }

    @Test
    void endpointsArePickedWithProbabilityOneInTheRemainingOnes() {
        String rules = IptablesRules.restore(TwoServices.many(1, 10), TwoServices.CONFIG);
        List<String> picks = rules.lines().filter(l -> l.startsWith("-A KUBE-SVC-") && l.contains("KUBE-SEP-")).toList();
        assertEquals(10, picks.size());
        assertTrue(picks.get(0).contains("--probability 0.1000000000 "), picks.get(0));
        assertTrue(picks.get(1).contains("--probability 0.1111111111 "), picks.get(1));
        assertTrue(picks.get(8).contains("--probability 0.5000000000 "), picks.get(8));
        assertFalse(picks.get(9).contains("statistic"), "the last endpoint takes what is left: " + picks.get(9));
    }

    @Test
    void aboveAThousandEndpointsPerEndpointCommentsGo() {
        String small = IptablesRules.restore(TwoServices.many(100, 10), TwoServices.CONFIG);
        String large = IptablesRules.restore(TwoServices.many(101, 10), TwoServices.CONFIG);
        assertTrue(small.lines().filter(l -> l.startsWith("-A KUBE-SEP-")).allMatch(l -> l.contains("--comment")));
        assertTrue(large.lines().filter(l -> l.startsWith("-A KUBE-SEP-")).noneMatch(l -> l.contains("--comment")));
        assertTrue(large.contains("--comment \"ns/svc0:http cluster IP\""), "service rules keep theirs");
    }

    @Test
    void theNodePortJumpIsTheLastRuleOfKubeServices() {
        List<String> services = IptablesRules.restore(TwoServices.many(3, 2), TwoServices.CONFIG).lines()
                .filter(l -> l.startsWith("-A KUBE-SERVICES ")).toList();
        assertEquals(4, services.size());
        assertTrue(services.getLast().endsWith("-m addrtype --dst-type LOCAL -j KUBE-NODEPORTS"), services.getLast());
    }

    @Test
    void aServiceWithoutEndpointsIsRejectedInTheFilterTable() {
        KubeService empty = new KubeService("ns3", "svc3", "p80", "172.30.0.43", 80, "TCP", 3003, List.of());
        String rules = IptablesRules.restore(List.of(empty), TwoServices.CONFIG);
        String filter = rules.substring(0, rules.indexOf("*nat"));
        assertTrue(filter.contains("-A KUBE-SERVICES -m comment --comment \"ns3/svc3:p80 has no endpoints\" -m tcp -p tcp"
                + " -d 172.30.0.43 --dport 80 -j REJECT\n"), filter);
        assertTrue(filter.contains("-A KUBE-EXTERNAL-SERVICES -m comment --comment \"ns3/svc3:p80 has no endpoints\""
                + " -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 3003 -j REJECT\n"), filter);
        assertFalse(rules.contains("KUBE-SVC-"), "no nat chains for it");
    }
}
