package dev.ferry.agent.model;

import java.util.List;

/** Everything a source knows at one moment: the input of the translators. */
public record Cluster(List<Service> services, List<EndpointSlice> slices) {
    public Cluster {
        services = List.copyOf(services);
        slices = List.copyOf(slices);
    }
}
