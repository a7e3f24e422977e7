package dev.ferry.bench.traffic;

/** What forwards the traffic; each has its own two nodes in the lab (see {@link TrafficLab}). */
enum Subject {
    PLAIN("plain routing", "plain"),
    IPTABLES("iptables", "ipt"),
    NFTABLES("nftables", "nft"),
    FERRY("Ferry", "ferry");

    /** As the report names it. */
    final String label;
    /** Prefix of its lab node and pod names. */
    final String key;

    Subject(String label, String key) {
        this.label = label;
        this.key = key;
    }
}
