package dev.ferry.agent.k8s;

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
        if ("ExternalName".equals(spec.getType())) return Optional.empty();

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
                int port = Fields.port(svc, "spec.ports[" + portName + "].port", p.getPort());
                if (!seen.add(port + "/" + protocol)) {
                    throw new InvalidObjectException(Fields.id(svc) + ": port " + port + "/" + protocol + " listed twice");
                }
                ports.add(new ServicePort(portName, port, protocol));
            }
        }
        if (ips.isEmpty() || ports.isEmpty()) return Optional.empty();
        return Optional.of(new Service(new ServiceName(Fields.namespace(svc), name), ips, ports));
    }

    static Protocol protocol(io.fabric8.kubernetes.api.model.HasMetadata object, String value) throws InvalidObjectException {
        try {
            return Protocol.parse(value);
        } catch (IllegalArgumentException e) {
            throw new InvalidObjectException(Fields.id(object) + ": " + e.getMessage());
        }
    }
}
