package dev.ferry.agent.lab;

/** A client outside the cluster: a namespace on the nodes' fabric, for NodePort and LoadBalancer traffic. */
public record External(String name, String netns, String ip) {
}
