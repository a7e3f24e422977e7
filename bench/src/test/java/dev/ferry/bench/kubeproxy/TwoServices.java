package dev.ferry.bench.kubeproxy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The inputs of the golden tests, in kube-proxy's own test conventions (pods 10.0.0.0/8, services 172.30.0.0/16). */
final class TwoServices {
    static final ProxyConfig CONFIG = new ProxyConfig("10.0.0.0/8", "172.30.0.0/16", "192.168.0.2");
    /** kube-proxy's proxier_test.go names this one's chains, so its hashes can be checked against them. */
    static final KubeService CLUSTER_IP = new KubeService("ns1", "svc1", "p80", "172.30.0.41", 80, "TCP", 0,
            List.of(new KubeService.Endpoint("10.180.0.1", 80)));
    static final KubeService NODE_PORT = new KubeService("ns2", "svc2", "p80", "172.30.0.42", 80, "TCP", 3001,
            List.of(new KubeService.Endpoint("10.180.0.2", 8080), new KubeService.Endpoint("10.180.2.1", 8080)));
    static final List<KubeService> BOTH = List.of(CLUSTER_IP, NODE_PORT);

    private TwoServices() {
    }

    static String golden(String name) throws IOException {
        try (InputStream in = TwoServices.class.getResourceAsStream("/kubeproxy/" + name)) {
            if (in == null) throw new IOException("no golden " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** {@code count} services of {@code endpoints} endpoints each, ClusterIPs and endpoints all distinct. */
    static List<KubeService> many(int count, int endpoints) {
        List<KubeService> services = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            List<KubeService.Endpoint> eps = new ArrayList<>();
            for (int j = 0; j < endpoints; j++) {
                int n = i * endpoints + j;
                eps.add(new KubeService.Endpoint("10.1." + (n >> 8) + "." + (n & 255), 80));
            }
            services.add(new KubeService("ns", "svc" + i, "http", "172.30." + (i >> 8) + "." + (i & 255), 80, "TCP", 0, eps));
        }
        return services;
    }
}
