package dev.ferry.agent.lab;

/**
 * A node of the lab: a network namespace that routes for its pods, where Ferry's agent would run.
 *
 * @param ip      its address on the fabric (eth0), or null in a one-node lab, which needs no fabric
 * @param podCidr the pod range other nodes route to it (host-gw), or null if none was given
 */
public record Node(String name, String netns, String ip, String podCidr) {
}
