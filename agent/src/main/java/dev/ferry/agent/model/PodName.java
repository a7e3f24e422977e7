package dev.ferry.agent.model;

/** namespace/name of a Pod, as events and logs name it. */
public record PodName(String namespace, String name) implements Comparable<PodName> {
    @Override
    public int compareTo(PodName o) {
        int c = namespace.compareTo(o.namespace);
        return c != 0 ? c : name.compareTo(o.name);
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
