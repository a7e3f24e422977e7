package dev.ferry.agent.lab;

import java.util.ArrayList;
import java.util.List;

/**
 * The ip/sysctl/ethtool commands that build and undo nodes and pods, routed like Calico or
 * Cilium in native-routing mode: every pod has a /32 on eth0 and a default route to a
 * link-local gateway that only exists on the node's side of its veth; the node holds one /32
 * route per pod. No bridge, so every pod packet crosses the veth Ferry attaches TC to.
 */
final class Plumbing {
    /** Calico's gateway address. Each host veth holds it as a /32, so it answers the pod's ARP for it. */
    static final String GATEWAY = "169.254.1.1";

    /** Nodes and external clients share one L2 segment, like hosts on a switch. */
    static final String FABRIC_PREFIX = "192.168.254.";
    static final int FABRIC_PREFIX_LENGTH = 24;
    static final String FABRIC_BRIDGE = "br0";

    private Plumbing() {
    }

    /** A namespace holding only the bridge that plays the switch, so nothing lands in the root namespace. */
    static List<List<String>> createFabric(String fabricNetns) {
        return List.of(
                List.of("ip", "netns", "add", fabricNetns),
                ip(fabricNetns, "link", "add", FABRIC_BRIDGE, "type", "bridge"),
                ip(fabricNetns, "link", "set", FABRIC_BRIDGE, "up"));
    }

    /**
     * Plugs a namespace into the fabric as eth0 with address ip; port is the switch side. Set up
     * for Ferry's XDP on node eth0s: eth0 sends full checksums, as a real NIC delivers them
     * (a veth would send partial ones, which XDP can not complete), and the switch port runs
     * an XDP_PASS program ({@code portXdp}, bpf/src/lab_xdp_pass.bpf.c), without which a veth
     * leaves its peer's XDP_TX frames waiting.
     */
    static List<List<String>> plugIntoFabric(String netns, String fabricNetns, String port, String ip, String portXdp) {
        return List.of(
                ip(fabricNetns, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", netns),
                ip(fabricNetns, "link", "set", port, "master", FABRIC_BRIDGE, "up"),
                ip(fabricNetns, "link", "set", "dev", port, "xdp", "obj", portXdp, "sec", "xdp"),
                inNs(netns, "ethtool", "-K", "eth0", "tx", "off"),
                ip(netns, "addr", "add", ip + "/" + FABRIC_PREFIX_LENGTH, "dev", "eth0"),
                ip(netns, "link", "set", "eth0", "up"));
    }

    /** host-gw: a node reaches another node's pods through that node's fabric address. */
    static List<String> routePodCidr(Node from, Node to) {
        return ip(from.netns(), "route", "add", to.podCidr(), "via", to.ip(), "dev", "eth0");
    }

    static List<List<String>> createExternal(External external) {
        return List.of(
                List.of("ip", "netns", "add", external.netns()),
                ip(external.netns(), "link", "set", "lo", "up"));
    }

    static List<List<String>> undoNamespace(String netns) {
        return List.of(List.of("ip", "netns", "del", netns));
    }

    static List<List<String>> createNode(Node node) {
        return List.of(
                List.of("ip", "netns", "add", node.netns()),
                ip(node.netns(), "link", "set", "lo", "up"),
                // default.* before any veth exists, so every later interface inherits it.
                inNs(node.netns(), "sysctl", "-qw",
                        "net.ipv4.ip_forward=1",
                        "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0",
                        // Pods share the node's "subnet" of /32 routes; redirects would point them at each other.
                        "net.ipv4.conf.all.send_redirects=0", "net.ipv4.conf.default.send_redirects=0"));
    }

    static List<List<String>> createPod(Pod pod, String nodeNetns, boolean txChecksumOffload) {
        List<List<String>> commands = new ArrayList<>(List.of(
                List.of("ip", "netns", "add", pod.netns()),
                ip(nodeNetns, "link", "add", pod.hostVeth(), "type", "veth", "peer", "name", "eth0", "netns", pod.netns()),
                ip(pod.netns(), "link", "set", "lo", "up"),
                ip(pod.netns(), "addr", "add", pod.ip() + "/32", "dev", "eth0"),
                ip(pod.netns(), "link", "set", "eth0", "up"),
                ip(pod.netns(), "route", "add", "default", "via", GATEWAY, "dev", "eth0", "onlink"),
                ip(nodeNetns, "addr", "add", GATEWAY + "/32", "dev", pod.hostVeth()),
                ip(nodeNetns, "link", "set", pod.hostVeth(), "up"),
                ip(nodeNetns, "route", "add", pod.ip() + "/32", "dev", pod.hostVeth())));
        if (!txChecksumOffload) {
            // Packets from a veth peer carry partial checksums; XDP rewriting them needs full ones.
            commands.add(inNs(pod.netns(), "ethtool", "-K", "eth0", "tx", "off"));
        }
        return commands;
    }

    /** Deleting the host end destroys the pair even if an open socket keeps the pod namespace alive. */
    static List<List<String>> undoPod(Pod pod, String nodeNetns) {
        return List.of(
                ip(nodeNetns, "link", "del", pod.hostVeth()),
                List.of("ip", "netns", "del", pod.netns()));
    }

    static List<String> inNs(String netns, String... command) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        argv.addAll(List.of(command));
        return argv;
    }

    private static List<String> ip(String netns, String... args) {
        List<String> argv = new ArrayList<>(List.of("ip", "-n", netns));
        argv.addAll(List.of(args));
        return argv;
    }
}
