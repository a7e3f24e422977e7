package dev.ferry.agent.k8s;

import dev.ferry.agent.model.Cidr;
import dev.ferry.agent.model.ExternalAccess;
import dev.ferry.agent.model.Protocol;
import dev.ferry.agent.model.Service;
import dev.ferry.agent.model.ServiceName;
import dev.ferry.agent.model.ServicePort;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** fabric8 Service -> model Service; the only place that reads a Service's fields. */
public final class ServiceConverter {
    /** Services another proxy implements; kube-proxy leaves them alone and so does Ferry. */
    public static final String SERVICE_PROXY_NAME_LABEL = "service.kubernetes.io/service-proxy-name";
    /** Set by the control plane on headless services and their slices. */
    public static final String HEADLESS_LABEL = "service.kubernetes.io/headless";

    private ServiceConverter() {
    }

    /**
     * @return empty for services that get no datapath state (headless, ExternalName, no ports)
     * @throws InvalidObjectException for a service that is malformed
     */
    public static Optional<Service> convert(io.fabric8.kubernetes.api.model.Service svc) throws InvalidObjectException {
        String name = Fields.name(svc);
        var spec = svc.getSpec();
        if (spec == null) throw new InvalidObjectException(Fields.id(svc) + ": no spec");
        if ("ExternalName".equals(spec.getType()) || Fields.hasLabel(svc, SERVICE_PROXY_NAME_LABEL)
                || Fields.hasLabel(svc, HEADLESS_LABEL)) {
            return Optional.empty();
        }

        Set<String> rawIps = new LinkedHashSet<>();
        if (spec.getClusterIP() != null && !spec.getClusterIP().isEmpty()) rawIps.add(spec.getClusterIP());
        if (spec.getClusterIPs() != null) rawIps.addAll(spec.getClusterIPs());
        if (rawIps.contains("None")) return Optional.empty(); // headless
        List<Inet4Address> ips = new ArrayList<>();
        for (String ip : rawIps) {
            if (ip.contains(":")) continue; // IPv6 family of a dual-stack service: not handled by this datapath
            ips.add(Fields.ipv4(svc, "spec.clusterIPs", ip));
        }

        List<ServicePort> ports = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        if (spec.getPorts() != null) {
            for (var p : spec.getPorts()) {
                String portName = p.getName() == null ? "" : p.getName();
                Protocol protocol = protocol(svc, p.getProtocol());
                if (protocol == Protocol.SCTP) continue; // reported by unsupportedPorts
                int port = Fields.port(svc, "spec.ports[" + portName + "].port", p.getPort());
                if (!seen.add(port + "/" + protocol)) {
                    throw new InvalidObjectException(Fields.id(svc) + ": port " + port + "/" + protocol + " listed twice");
                }
                boolean nodePorts = "NodePort".equals(spec.getType()) || "LoadBalancer".equals(spec.getType());
                int nodePort = nodePorts && p.getNodePort() != null
                        ? Fields.port(svc, "spec.ports[" + portName + "].nodePort", p.getNodePort()) : 0;
                ports.add(new ServicePort(portName, port, protocol, nodePort));
            }
        }
        if (ips.isEmpty() || ports.isEmpty()) return Optional.empty();
        List<Inet4Address> external = new ArrayList<>();
        for (String ip : spec.getExternalIPs() == null ? List.<String>of() : spec.getExternalIPs()) {
            if (!ip.contains(":")) external.add(Fields.ipv4(svc, "spec.externalIPs", ip));
        }
        boolean loadBalancer = "LoadBalancer".equals(spec.getType());
        List<Inet4Address> loadBalancerIps = new ArrayList<>();
        var status = svc.getStatus() == null ? null : svc.getStatus().getLoadBalancer();
        if (status != null && status.getIngress() != null && loadBalancer) {
            for (var ingress : status.getIngress()) {
                // ipMode Proxy: the load balancer proxies and the node must not short-circuit its IP.
                if (ingress.getIp() == null || ingress.getIp().contains(":") || "Proxy".equals(ingress.getIpMode())) continue;
                loadBalancerIps.add(Fields.ipv4(svc, "status.loadBalancer.ingress.ip", ingress.getIp()));
            }
        }
        boolean internalLocal = "Local".equals(spec.getInternalTrafficPolicy());
        // As the API server: externalTrafficPolicy and healthCheckNodePort only mean something
        // for services that are reachable from outside through a node.
        boolean reachableFromOutside = loadBalancer || "NodePort".equals(spec.getType()) || !external.isEmpty();
        boolean externalLocal = reachableFromOutside && "Local".equals(spec.getExternalTrafficPolicy());
        int healthCheckNodePort = externalLocal && loadBalancer && spec.getHealthCheckNodePort() != null
                ? Fields.port(svc, "spec.healthCheckNodePort", spec.getHealthCheckNodePort()) : 0;
        ExternalAccess access = new ExternalAccess(external.stream().distinct().toList(),
                loadBalancerIps.stream().distinct().toList(), externalLocal, healthCheckNodePort,
                loadBalancer ? sourceRanges(svc) : List.of());
        return Optional.of(new Service(new ServiceName(Fields.namespace(svc), name), ips, ports, internalLocal,
                affinityTimeout(svc), access));
    }

    /** spec.loadBalancerSourceRanges as CIDRs (IPv6 ones skipped: the datapath is IPv4). */
    static List<Cidr> sourceRanges(io.fabric8.kubernetes.api.model.Service svc) throws InvalidObjectException {
        List<String> raw = svc.getSpec().getLoadBalancerSourceRanges();
        List<Cidr> out = new ArrayList<>();
        for (String range : raw == null ? List.<String>of() : raw) {
            if (range.contains(":")) continue;
            try {
                out.add(Cidr.parse(range.trim()));
            } catch (IllegalArgumentException e) {
                throw new InvalidObjectException(Fields.id(svc) + ": spec.loadBalancerSourceRanges: " + e.getMessage());
            }
        }
        return out;
    }

    /** Kubernetes' default for sessionAffinity ClientIP without a timeout: 3 hours. */
    public static final int DEFAULT_AFFINITY_TIMEOUT = 10800;

    /** 0 without sessionAffinity ClientIP; else its timeout, 1..86400 s as the API server validates it. */
    static int affinityTimeout(io.fabric8.kubernetes.api.model.Service svc) throws InvalidObjectException {
        var spec = svc.getSpec();
        if (!"ClientIP".equals(spec.getSessionAffinity())) return 0;
        var config = spec.getSessionAffinityConfig();
        Integer timeout = config == null || config.getClientIP() == null ? null : config.getClientIP().getTimeoutSeconds();
        if (timeout == null) return DEFAULT_AFFINITY_TIMEOUT;
        if (timeout < 1 || timeout > 86400) {
            throw new InvalidObjectException(Fields.id(svc) + ": sessionAffinityConfig.clientIP.timeoutSeconds "
                    + timeout + " is not within 1-86400");
        }
        return timeout;
    }

    /** SCTP ports are skipped (the datapath has no SCTP NAT); each one is said once. */
    static List<String> unsupportedPorts(io.fabric8.kubernetes.api.model.Service svc) {
        if (svc.getSpec() == null || svc.getSpec().getPorts() == null) return List.of();
        return svc.getSpec().getPorts().stream().filter(p -> "SCTP".equals(p.getProtocol()))
                .map(p -> Fields.id(svc) + ": port " + p.getPort() + "/SCTP skipped: Ferry does not handle SCTP")
                .toList();
    }

    static Protocol protocol(io.fabric8.kubernetes.api.model.HasMetadata object, String value) throws InvalidObjectException {
        try {
            return Protocol.parse(value);
        } catch (IllegalArgumentException e) {
            throw new InvalidObjectException(Fields.id(object) + ": " + e.getMessage());
        }
    }
}
