package dev.ferry.agent.lab;

/**
 * A pod of the lab: its own network namespace with {@code eth0}, wired to its node by a veth.
 *
 * @param hostVeth the node-side end, named "veth..." so Ferry's default --pod-interfaces glob matches it
 */
public record Pod(String name, String node, String netns, String ip, String hostVeth) {
}
