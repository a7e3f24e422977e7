package dev.ferry.agent.k8s;

import dev.ferry.agent.model.Endpoint;
import dev.ferry.agent.model.EndpointPort;
import dev.ferry.agent.model.EndpointSlice;
import dev.ferry.agent.model.ServiceName;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** fabric8 discovery/v1 EndpointSlice -> model EndpointSlice. */
public final class EndpointSliceConverter {
    /** The label that ties a slice to its Service. */
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    private EndpointSliceConverter() {
    }

    /** @return empty for slices Ferry does not use (IPv6, FQDN, not owned by a service) */
    public static Optional<EndpointSlice> convert(io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice slice)
            throws InvalidObjectException {
        String name = Fields.name(slice);
        if (!"IPv4".equals(slice.getAddressType()) || Fields.hasLabel(slice, ServiceConverter.SERVICE_PROXY_NAME_LABEL)
                || Fields.hasLabel(slice, ServiceConverter.HEADLESS_LABEL)) {
            return Optional.empty();
        }
        var labels = slice.getMetadata().getLabels();
        String service = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
        if (service == null || service.isEmpty()) return Optional.empty();

        List<EndpointPort> ports = new ArrayList<>();
        if (slice.getPorts() != null) {
            for (var p : slice.getPorts()) {
                String portName = p.getName() == null ? "" : p.getName();
                ports.add(new EndpointPort(portName,
                        Fields.port(slice, "ports[" + portName + "].port", p.getPort()),
                        ServiceConverter.protocol(slice, p.getProtocol())));
            }
        }
        List<Endpoint> endpoints = new ArrayList<>();
        if (slice.getEndpoints() != null) {
            for (var e : slice.getEndpoints()) {
                var c = e.getConditions();
                // As kube-proxy reads them: unset ready/serving mean true, unset terminating false.
                boolean ready = c == null || c.getReady() == null || c.getReady();
                boolean serving = c == null || c.getServing() == null || c.getServing();
                boolean terminating = c != null && c.getTerminating() != null && c.getTerminating();
                if (e.getAddresses() == null || e.getAddresses().isEmpty()) {
                    throw new InvalidObjectException(Fields.id(slice) + ": endpoint without addresses");
                }
                Set<String> zoneHints = new HashSet<>(), nodeHints = new HashSet<>();
                if (e.getHints() != null) {
                    if (e.getHints().getForZones() != null) e.getHints().getForZones().forEach(z -> zoneHints.add(z.getName()));
                    if (e.getHints().getForNodes() != null) e.getHints().getForNodes().forEach(n -> nodeHints.add(n.getName()));
                }
                for (String address : e.getAddresses()) {
                    endpoints.add(new Endpoint(Fields.ipv4(slice, "endpoints.addresses", address),
                            ready, serving, terminating, e.getNodeName(), zoneHints, nodeHints));
                }
            }
        }
        return Optional.of(new EndpointSlice(new ServiceName(Fields.namespace(slice), service), name, ports, endpoints));
    }
}
