package dev.ferry.bench.traffic;

import dev.ferry.agent.lab.ServiceManifest;
import dev.ferry.bench.kubeproxy.KubeService;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The services one subject's nodes are programmed with: {@code count} services of 10 endpoints,
 * one of which (the measured one, a NodePort service) has the lab's real backend pods as
 * endpoints. The others point at pod addresses that exist in no namespace: they are never hit,
 * only their number matters. The measured service sits in the middle of the list, which is
 * kube-proxy's iptables KUBE-SERVICES order: kube-proxy writes services in Go map order, i.e.
 * at random, so the middle is the expected position of any one service.
 */
record ServiceSet(List<KubeService> services, KubeService measured) {
    static final String NAMESPACE = "lab";
    static final int SERVICE_PORT = 80, TARGET_PORT = 8080, NODE_PORT = 30080;
    static final int ENDPOINTS = 10;

    static ServiceSet of(int count, List<String> backendIps) {
        if (backendIps.size() != ENDPOINTS) throw new IllegalArgumentException("the measured service has 10 endpoints");
        List<KubeService> services = new ArrayList<>(count);
        int middle = count / 2;
        KubeService measured = null;
        for (int i = 0; i < count; i++) {
            boolean isMeasured = i == middle;
            List<KubeService.Endpoint> endpoints = new ArrayList<>(ENDPOINTS);
            for (int j = 0; j < ENDPOINTS; j++) {
                endpoints.add(new KubeService.Endpoint(isMeasured ? backendIps.get(j) : phantomPod(i * ENDPOINTS + j), TARGET_PORT));
            }
            KubeService service = new KubeService(NAMESPACE, isMeasured ? "measured" : "svc-" + i, "http", clusterIp(i),
                    SERVICE_PORT, "TCP", isMeasured ? NODE_PORT : 0, endpoints);
            if (isMeasured) measured = service;
            services.add(service);
        }
        return new ServiceSet(List.copyOf(services), measured);
    }

    /** ClusterIPs from 10.96.0.1 up, inside the service CIDR 10.96.0.0/16. */
    private static String clusterIp(int index) {
        int n = index + 1;
        return "10.96." + (n >> 8) + "." + (n & 255);
    }

    /** 10.248.0.0 up: inside the cluster CIDR 10.240.0.0/12, outside every lab node's pod range. */
    private static String phantomPod(int index) {
        return "10." + (248 + (index >> 16)) + "." + ((index >> 8) & 255) + "." + (index & 255);
    }

    /** The same services as Service and EndpointSlice YAML, for `ferry agent --services-file`. */
    String manifests(String backendNode) {
        List<ServiceManifest> manifests = new ArrayList<>(services.size());
        for (KubeService s : services) {
            List<String> ips = s.endpoints().stream().map(KubeService.Endpoint::ip).toList();
            Map<String, String> nodes = new HashMap<>();
            if (s == measured) ips.forEach(ip -> nodes.put(ip, backendNode));
            manifests.add(new ServiceManifest(s.name(), s.clusterIp(),
                    List.of(new ServiceManifest.Port(s.portName(), s.port(), TARGET_PORT, s.protocol())), ips, 0, s.nodePort(),
                    nodes));
        }
        return ServiceManifest.yaml(manifests);
    }
}
