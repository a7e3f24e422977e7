package dev.ferry.agent.model;

/** The node this agent runs on, as far as Service routing cares: its name and zone label. */
public record Node(String name, String zone) {
    /** Before the Node object is known: topology hints for zones are then ignored, as kube-proxy does. */
    public static Node unknown(String name) {
        return new Node(name, "");
    }
}
