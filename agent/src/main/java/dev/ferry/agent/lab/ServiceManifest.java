package dev.ferry.agent.lab;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Writes a ClusterIP (or NodePort) Service and its EndpointSlice as Kubernetes YAML, the way
 * the API server would show them: what the lab feeds to `ferry agent --services-file`.
 * {@code nodePort} > 0 makes it a NodePort service on that port; {@code endpointNodes} names the
 * node of an endpoint address, where known.
 */
public record ServiceManifest(String name, String clusterIp, List<Port> ports, List<String> endpoints,
                              int affinityTimeoutSeconds, int nodePort, Map<String, String> endpointNodes) {
    /** A service port, its target port on the endpoints, and TCP or UDP. */
    public record Port(String name, int port, int targetPort, String protocol) {
    }

    public static ServiceManifest tcpAndUdp(String name, String clusterIp, int port, int targetPort, List<String> endpoints) {
        return new ServiceManifest(name, clusterIp, List.of(new Port("tcp", port, targetPort, "TCP"),
                new Port("udp", port, targetPort, "UDP")), endpoints, 0, 0, Map.of());
    }

    public ServiceManifest withEndpoints(List<String> newEndpoints) {
        return new ServiceManifest(name, clusterIp, ports, newEndpoints, affinityTimeoutSeconds, nodePort, endpointNodes);
    }

    /** sessionAffinity ClientIP with this timeout; 0 turns affinity off. */
    public ServiceManifest withAffinity(int timeoutSeconds) {
        return new ServiceManifest(name, clusterIp, ports, endpoints, timeoutSeconds, nodePort, endpointNodes);
    }

    /** A NodePort service on {@code port} (TCP and UDP alike), its endpoints placed on nodes (ip -> node). */
    public ServiceManifest withNodePort(int port, Map<String, String> nodes) {
        return new ServiceManifest(name, clusterIp, ports, endpoints, affinityTimeoutSeconds, port, Map.copyOf(nodes));
    }

    public String yaml() {
        String servicePorts = ports.stream().map(p -> "  - {name: %s, port: %d, targetPort: %d, protocol: %s%s}"
                .formatted(p.name, p.port, p.targetPort, p.protocol, nodePort > 0 ? ", nodePort: " + nodePort : ""))
                .collect(Collectors.joining("\n"));
        String slicePorts = ports.stream().map(p -> "- {name: %s, port: %d, protocol: %s}"
                .formatted(p.name, p.targetPort, p.protocol)).collect(Collectors.joining("\n"));
        String sliceEndpoints = endpoints.isEmpty() ? "endpoints: []" : "endpoints:\n" + endpoints.stream()
                .map(ip -> "- addresses: [" + ip + "]\n  conditions: {ready: true}"
                        + (endpointNodes.containsKey(ip) ? "\n  nodeName: " + endpointNodes.get(ip) : ""))
                .collect(Collectors.joining("\n"));
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: %s, namespace: lab}
                spec:
                  type: %s
                  clusterIP: %s
                %s  ports:
                %s
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: %s-slice
                  namespace: lab
                  labels: {kubernetes.io/service-name: %s}
                addressType: IPv4
                ports:
                %s
                %s
                """.formatted(name, nodePort > 0 ? "NodePort" : "ClusterIP", clusterIp, affinity(), servicePorts, name, name, slicePorts, sliceEndpoints);
    }

    private String affinity() {
        return affinityTimeoutSeconds == 0 ? "" : "  sessionAffinity: ClientIP\n  sessionAffinityConfig: {clientIP: {timeoutSeconds: "
                + affinityTimeoutSeconds + "}}\n";
    }

    public static String yaml(List<ServiceManifest> services) {
        return services.stream().map(ServiceManifest::yaml).collect(Collectors.joining("---\n"));
    }
}
