package dev.ferry.bench.kubeproxy;

import java.util.List;
import java.util.Locale;

/**
 * One port of one Service with its ready endpoints: what kube-proxy's proxiers turn into rules
 * (a "ServicePortName" with its endpoints, in kube-proxy's words).
 *
 * @param portName  the Service port's name; part of kube-proxy's chain names ("ns1/svc1:p80")
 * @param protocol  "TCP", "UDP" or "SCTP"
 * @param nodePort  0 for a ClusterIP service
 * @param endpoints ready endpoints, in EndpointSlice order (kube-proxy keeps that order)
 */
public record KubeService(String namespace, String name, String portName, String clusterIp, int port, String protocol,
                          int nodePort, List<Endpoint> endpoints) {
    /** An endpoint address with the Service port's target port. */
    public record Endpoint(String ip, int port) {
        /** "10.180.0.1:80", as kube-proxy hashes and prints it. */
        public String hostPort() {
            return ip + ":" + port;
        }
    }

    public KubeService {
        endpoints = List.copyOf(endpoints);
        if (!List.of("TCP", "UDP", "SCTP").contains(protocol)) throw new IllegalArgumentException("protocol " + protocol);
    }

    /** "ns1/svc1:p80", kube-proxy's ServicePortName.String(), used in comments and hashes. */
    public String portNameString() {
        return namespace + "/" + name + ":" + portName;
    }

    /** "tcp": how both proxiers write the protocol in matches and hashes. */
    public String proto() {
        return protocol.toLowerCase(Locale.ROOT);
    }
}
