package dev.ferry.agent.model;

/** namespace/name of a Service: the identity every log line and metric uses. */
public record ServiceName(String namespace, String name) implements Comparable<ServiceName> {
    // Spelled out for C1: see translate.Backend.
    @Override
    public boolean equals(Object o) {
        return o instanceof ServiceName s && name.equals(s.name) && namespace.equals(s.namespace);
    }

    @Override
    public int hashCode() {
        return namespace.hashCode() * 31 + name.hashCode();
    }

    @Override
    public int compareTo(ServiceName o) {
        int c = namespace.compareTo(o.namespace);
        return c != 0 ? c : name.compareTo(o.name);
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
