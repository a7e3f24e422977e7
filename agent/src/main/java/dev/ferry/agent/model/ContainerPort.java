package dev.ferry.agent.model;

/** A named container port of a pod, what a NetworkPolicy's named port resolves to. */
public record ContainerPort(String name, Protocol protocol, int port) implements Comparable<ContainerPort> {
    @Override
    public int compareTo(ContainerPort o) {
        int c = name.compareTo(o.name);
        if (c != 0) return c;
        c = protocol.compareTo(o.protocol);
        return c != 0 ? c : Integer.compare(port, o.port);
    }

    @Override
    public String toString() {
        return name + "=" + port + "/" + protocol;
    }
}
