package dev.ferry.agent.model;

import java.util.List;

/** The endpoints one EndpointSlice contributes to {@code service}. */
public record EndpointSlice(ServiceName service, String name, List<EndpointPort> ports, List<Endpoint> endpoints) {
    public EndpointSlice {
        ports = List.copyOf(ports);
        endpoints = List.copyOf(endpoints);
    }
}
