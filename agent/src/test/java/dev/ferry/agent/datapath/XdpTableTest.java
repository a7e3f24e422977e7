package dev.ferry.agent.datapath;

import dev.ferry.agent.datapath.abi.Abi;
import dev.ferry.agent.datapath.abi.BackendValue;
import dev.ferry.agent.datapath.abi.CtKey;
import dev.ferry.agent.datapath.abi.CtValue;
import dev.ferry.agent.datapath.abi.Reason;
import dev.ferry.agent.datapath.abi.XdpFlow;
import dev.ferry.agent.k8s.Manifests;
import dev.ferry.agent.lab.Lab;
import dev.ferry.agent.model.Ipv4;
import dev.ferry.agent.model.LocalNode;
import dev.ferry.agent.model.Protocol;
import dev.ferry.agent.reconcile.Reconciler;
import dev.ferry.agent.testing.Privileged;
import dev.ferry.agent.testing.TempBpffs;
import dev.ferry.agent.translate.ServiceTranslator;
import dev.ferry.bpf.BpfMap;
import dev.ferry.bpf.PossibleCpus;
import dev.ferry.bpf.TestRunResult;
import dev.ferry.bpf.TypedMap;
import dev.ferry.bpf.UpdateFlag;
import dev.ferry.sys.NetNs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static dev.ferry.agent.datapath.DatapathTableTest.*;
import static dev.ferry.agent.datapath.Packet.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The node interface program (xdp_node.bpf.c) under BPF_PROG_TEST_RUN: frames in as if they
 * arrived on node1's eth0, exact frames and verdicts out. The test runs inside node1 of a lab,
 * whose routes (host-gw: node2's pods via 192.168.254.12) and neighbours (fixed MACs) the
 * program's bpf_fib_lookup sees. Maps are filled by the production translator and reconciler.
 * Each row uses its own client port, so conntrack state never leaks between rows.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class XdpTableTest {
    static final int DROP = 1, PASS = 2, TX = 3;

    static final String NODE1 = "192.168.254.11", NODE2 = "192.168.254.12", CLIENT = "192.168.254.101",
            STRANGER = "192.168.254.102", LB_IP = "198.51.100.1", EXTERNAL_IP = "203.0.113.7",
            LOCAL_POD = "10.244.1.11", REMOTE_POD = "10.244.2.12",
            ETP_LOCAL_POD = "10.244.1.14", LB_POD = "10.244.1.15", EXTERNAL_POD = "10.244.2.16";
    static final String NODE1_MAC = "020000000011", NODE2_MAC = "020000000012", CLIENT_MAC = "020000000101",
            STRANGER_MAC = "020000000102";

    static final String SERVICES = """
            apiVersion: v1
            kind: Service
            metadata: {name: local, namespace: t}
            spec: {type: NodePort, clusterIP: 10.96.0.10, ports: [{port: 80, targetPort: 8080, nodePort: 30080}]}
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: local-1, namespace: t, labels: {kubernetes.io/service-name: local}}
            addressType: IPv4
            ports: [{port: 8080}]
            endpoints: [{addresses: [10.244.1.11], nodeName: node1}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: remote, namespace: t}
            spec:
              type: NodePort
              clusterIP: 10.96.0.11
              externalIPs: [203.0.113.7]
              ports: [{name: http, port: 80, targetPort: 8080, nodePort: 30081}, {name: dns, port: 53, protocol: UDP, targetPort: 5353, nodePort: 30053}]
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: remote-1, namespace: t, labels: {kubernetes.io/service-name: remote}}
            addressType: IPv4
            ports: [{name: http, port: 8080}, {name: dns, port: 5353, protocol: UDP}]
            endpoints: [{addresses: [10.244.2.12], nodeName: node2}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: elsewhere, namespace: t}
            spec: {type: NodePort, clusterIP: 10.96.0.12, externalTrafficPolicy: Local, ports: [{port: 80, nodePort: 30082}]}
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: elsewhere-1, namespace: t, labels: {kubernetes.io/service-name: elsewhere}}
            addressType: IPv4
            ports: [{port: 80}]
            endpoints: [{addresses: [10.244.2.20], nodeName: node2}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: keep-client, namespace: t}
            spec: {type: NodePort, clusterIP: 10.96.0.13, externalTrafficPolicy: Local, ports: [{port: 80, nodePort: 30083}]}
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: keep-client-1, namespace: t, labels: {kubernetes.io/service-name: keep-client}}
            addressType: IPv4
            ports: [{port: 80}]
            endpoints: [{addresses: [10.244.1.14], nodeName: node1}, {addresses: [10.244.2.14], nodeName: node2}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: empty, namespace: t}
            spec: {type: NodePort, clusterIP: 10.96.0.14, ports: [{port: 80, nodePort: 30084}, {port: 53, protocol: UDP, nodePort: 30054}]}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: lb, namespace: t}
            spec:
              type: LoadBalancer
              clusterIP: 10.96.0.15
              loadBalancerSourceRanges: [192.168.254.101/32]
              ports: [{port: 80, nodePort: 30085}]
            status: {loadBalancer: {ingress: [{ip: 198.51.100.1}]}}
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: lb-1, namespace: t, labels: {kubernetes.io/service-name: lb}}
            addressType: IPv4
            ports: [{port: 80}]
            endpoints: [{addresses: [10.244.1.15], nodeName: node1}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: ext, namespace: t}
            spec: {clusterIP: 10.96.0.16, externalIPs: [203.0.113.8], ports: [{port: 80}]}
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: ext-1, namespace: t, labels: {kubernetes.io/service-name: ext}}
            addressType: IPv4
            ports: [{port: 80}]
            endpoints: [{addresses: [10.244.2.16], nodeName: node2}]
            """;

    private Lab lab;
    private TempBpffs bpffs;
    private Datapath datapath;
    private int eth0;

    @BeforeAll
    void load() throws Exception {
        Privileged.require();
        lab = Lab.builder().node("node1", "10.244.1.0/24").node("node2", "10.244.2.0/24").build();
        String ns = lab.nodeNs("node1");
        lab.exec(ns, "ip", "link", "set", "eth0", "address", mac(NODE1_MAC));
        lab.exec(ns, "ip", "neigh", "replace", NODE2, "lladdr", mac(NODE2_MAC), "dev", "eth0", "nud", "permanent");
        lab.exec(ns, "ip", "neigh", "replace", CLIENT, "lladdr", mac(CLIENT_MAC), "dev", "eth0", "nud", "permanent");
        lab.exec(ns, "ip", "neigh", "replace", STRANGER, "lladdr", mac(STRANGER_MAC), "dev", "eth0", "nud", "permanent");
        eth0 = Integer.parseInt(lab.exec(ns, "cat", "/sys/class/net/eth0/ifindex").trim());
        bpffs = new TempBpffs();
        datapath = Datapath.load(bpffs.root(), new Datapath.Settings(Ipv4.parse("169.254.42.1"), 251));
        new Reconciler(datapath.serviceMaps()).apply(ServiceTranslator.translate(Manifests.parse(SERVICES).cluster(),
                new LocalNode("node1", List.of(Ipv4.parse(NODE1)))));
        datapath.nodeportInterfaces().put(eth0, Ipv4.parse(NODE1));
    }

    @AfterAll
    void unload() throws Exception {
        if (datapath != null) datapath.close();
        if (bpffs != null) bpffs.close();
        if (lab != null) lab.close();
    }

    private static String mac(String hex) {
        return hex.replaceAll("(..)(?!$)", "$1:");
    }

    /** A frame from the outside client as it reaches node1's eth0. */
    static Packet fromClient(Packet p) {
        return p.macs(CLIENT_MAC, NODE1_MAC);
    }

    /** What node1 sends on to a host on the fabric: its own MAC, the next hop's, one hop less. */
    static Packet routed(Packet p, String nextHopMac) {
        return p.macs(NODE1_MAC, nextHopMac).ttl(63);
    }

    /** One row: frames sent first (to set up conntrack; pod frames through from_pod), the frame under test, the outcome. */
    record Case(String description, List<byte[]> setup, List<byte[]> podSetup, byte[] in, int verdict, byte[] out) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Case row(String d, Packet in, int verdict, Packet out) {
        return new Case(d, List.of(), List.of(), in.bytes(), verdict, out == null ? in.bytes() : out.bytes());
    }

    static Case rawRow(String d, byte[] in, int verdict) {
        return new Case(d, List.of(), List.of(), in, verdict, in);
    }

    static Case after(List<Packet> setup, Case c) {
        return new Case(c.description, setup.stream().map(Packet::bytes).toList(), c.podSetup, c.in, c.verdict, c.out);
    }

    static Case afterPod(Packet podSetup, Case c) {
        return new Case(c.description, c.setup, List.of(podSetup.bytes()), c.in, c.verdict, c.out);
    }

    static Stream<Case> cases() {
        // who-has 192.168.254.11 tell 192.168.254.101
        byte[] arp = HexFormat.of().parseHex("ffffffffffff" + CLIENT_MAC + "0806" + "0001080006040001"
                + CLIENT_MAC + "c0a8fe65" + "000000000000" + "c0a8fe0b");
        return Stream.of(
                row("NodePort SYN to a local backend is DNATed and passed up to the pod, client IP kept",
                        fromClient(tcp(CLIENT, 41001, NODE1, 30080, SYN)), PASS,
                        fromClient(tcp(CLIENT, 41001, LOCAL_POD, 8080, SYN))),
                after(List.of(fromClient(tcp(CLIENT, 41002, NODE1, 30080, SYN))),
                        row("NodePort data of an established flow keeps its local backend",
                                fromClient(tcp(CLIENT, 41002, NODE1, 30080, ACK).payload("GET /".getBytes())), PASS,
                                fromClient(tcp(CLIENT, 41002, LOCAL_POD, 8080, ACK).payload("GET /".getBytes())))),
                row("NodePort SYN to a backend on another node: DNAT, SNAT to the node (client port kept), out via XDP_TX",
                        fromClient(tcp(CLIENT, 62001, NODE1, 30081, SYN)), TX,
                        routed(tcp(NODE1, 62001, REMOTE_POD, 8080, SYN), NODE2_MAC)),
                after(List.of(fromClient(tcp(CLIENT, 62002, NODE1, 30081, SYN))),
                        row("the remote backend's reply is translated back to the client and sent out",
                                tcp(REMOTE_POD, 8080, NODE1, 62002, SYN | ACK).macs(NODE2_MAC, NODE1_MAC), TX,
                                routed(tcp(NODE1, 30081, CLIENT, 62002, SYN | ACK), CLIENT_MAC))),
                after(List.of(fromClient(tcp(CLIENT, 62003, NODE1, 30081, SYN))),
                        row("an established remote flow keeps its backend and SNAT port",
                                fromClient(tcp(CLIENT, 62003, NODE1, 30081, ACK)), TX,
                                routed(tcp(NODE1, 62003, REMOTE_POD, 8080, ACK), NODE2_MAC))),
                row("NodePort UDP to a remote backend: DNAT and SNAT with a correct checksum",
                        fromClient(udp(CLIENT, 62010, NODE1, 30053).payload("query".getBytes())), TX,
                        routed(udp(NODE1, 62010, REMOTE_POD, 5353).payload("query".getBytes()), NODE2_MAC)),
                after(List.of(fromClient(udp(CLIENT, 62011, NODE1, 30053))),
                        row("the UDP reply of a remote backend goes back to the client from the NodePort",
                                udp(REMOTE_POD, 5353, NODE1, 62011).macs(NODE2_MAC, NODE1_MAC), TX,
                                routed(udp(NODE1, 30053, CLIENT, 62011), CLIENT_MAC))),
                row("UDP without a checksum keeps none",
                        fromClient(udp(CLIENT, 62012, NODE1, 30053).udpZeroChecksum()), TX,
                        routed(udp(NODE1, 62012, REMOTE_POD, 5353).udpZeroChecksum(), NODE2_MAC)),
                row("externalTrafficPolicy Local without a local endpoint drops, as kube-proxy",
                        fromClient(tcp(CLIENT, 41004, NODE1, 30082, SYN)), DROP, null),
                row("externalTrafficPolicy Local: only the local endpoint, the client's address kept",
                        fromClient(tcp(CLIENT, 41005, NODE1, 30083, SYN)), PASS,
                        fromClient(tcp(CLIENT, 41005, ETP_LOCAL_POD, 80, SYN))),
                row("LoadBalancer IP from a source inside loadBalancerSourceRanges is DNATed",
                        fromClient(tcp(CLIENT, 41006, LB_IP, 80, SYN)), PASS,
                        fromClient(tcp(CLIENT, 41006, LB_POD, 80, SYN))),
                row("LoadBalancer IP from a source outside loadBalancerSourceRanges is dropped",
                        fromClient(tcp(STRANGER, 41007, LB_IP, 80, SYN)), DROP, null),
                row("the NodePort of that LoadBalancer service is not guarded by the ranges",
                        fromClient(tcp(STRANGER, 41008, NODE1, 30085, SYN)), PASS,
                        fromClient(tcp(STRANGER, 41008, LB_POD, 80, SYN))),
                row("externalIP to a remote backend is DNATed, SNATed and sent on",
                        fromClient(tcp(CLIENT, 62020, "203.0.113.8", 80, SYN)), TX,
                        routed(tcp(NODE1, 62020, EXTERNAL_POD, 80, SYN), NODE2_MAC)),
                row("NodePort without endpoints answers TCP with RST+ACK out of the same interface",
                        fromClient(tcp(CLIENT, 41009, NODE1, 30084, SYN)), TX,
                        tcp(NODE1, 30084, CLIENT, 41009, RST | ACK).seq(0, 1001).window(0).ipHeader(0, 0, true)
                                .macs(NODE1_MAC, CLIENT_MAC)),
                row("NodePort without endpoints answers UDP with ICMP port unreachable",
                        fromClient(udp(CLIENT, 41010, NODE1, 30054)), TX,
                        portUnreachable(fromClient(udp(CLIENT, 41010, NODE1, 30054))).macs(NODE1_MAC, CLIENT_MAC)),
                row("TCP to the node on a port that is no NodePort passes untouched (the node's own sshd)",
                        fromClient(tcp(CLIENT, 41011, NODE1, 22, SYN)), PASS, null),
                row("pod traffic between nodes passes untouched",
                        tcp(REMOTE_POD, 41012, LOCAL_POD, 8080, SYN).macs(NODE2_MAC, NODE1_MAC), PASS, null),
                afterPod(tcp(LOCAL_POD, 41013, "10.96.0.11", 80, SYN),
                        row("the reply to a pod's ClusterIP flow passes to the stack: to_pod reverse-NATs it",
                                tcp(REMOTE_POD, 8080, LOCAL_POD, 41013, SYN | ACK).macs(NODE2_MAC, NODE1_MAC), PASS, null)),
                row("a frame to forward without a hop left is dropped",
                        fromClient(tcp(CLIENT, 62030, NODE1, 30081, SYN).ttl(1)), DROP, null),
                rawRow("ARP passes untouched", arp, PASS),
                rawRow("IPv6 passes untouched", ipv6Frame(), PASS),
                row("ICMP echo to the node passes untouched",
                        fromClient(raw(CLIENT, NODE1, ICMP, HexFormat.of().parseHex("0800f7fe00010000"))), PASS, null),
                rawRow("IPv4 header longer than the frame is dropped",
                        ihl6Truncated(fromClient(tcp(CLIENT, 41020, NODE1, 30080, SYN)).bytes()), DROP),
                rawRow("IPv4 total length below the header length is dropped",
                        totLen(fromClient(tcp(CLIENT, 41021, NODE1, 30080, SYN)).bytes(), 10), DROP),
                rawRow("IHL below 5 is dropped", badIhl(fromClient(tcp(CLIENT, 41022, NODE1, 30080, SYN)).bytes()), DROP),
                rawRow("TCP header cut short is dropped",
                        fromClient(raw(CLIENT, NODE1, TCP, HexFormat.of().parseHex("a0e97580000003e8"))).bytes(), DROP)
        );
    }

    private TestRunResult runXdp(byte[] frame) throws Exception {
        return NetNs.call(lab.nodeNs("node1"), () -> datapath.fromNode().testRunXdp(frame, eth0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void table(Case c) throws Exception {
        for (byte[] setup : c.podSetup) datapath.fromPod().testRun(setup, 1);
        for (byte[] setup : c.setup) runXdp(setup);
        TestRunResult r = runXdp(c.in);
        assertEquals(c.verdict, r.retval(), c.description + ": verdict");
        if (c.verdict != DROP) {
            assertEquals(Packet.describe(c.out), Packet.describe(r.packetOut()), c.description + ": frame");
        }
    }

    @Test
    void aClientPortOutsideTheSnatRangeIsReplacedByOneInside() throws Exception {
        TestRunResult r = runXdp(fromClient(tcp(CLIENT, 41003, EXTERNAL_IP, 80, SYN)).bytes());
        assertEquals(TX, r.retval());
        int port = sourcePort(r.packetOut());
        endSnatedFlow(new CtKey(Ipv4.parse(CLIENT), Ipv4.parse(EXTERNAL_IP), 41003, 80, Protocol.TCP, false), port);
        assertTrue(port >= 61000 && port <= 65535, "SNAT port " + port);
    }

    /**
     * Ends a flow to REMOTE_POD:8080 SNATed to a random port: left live, its port would be taken
     * for any later row whose client port it is, and that row's flow would not keep its port.
     */
    private void endSnatedFlow(CtKey forward, int snatPort) {
        conntrackMap().remove(forward);
        conntrackMap().remove(new CtKey(Ipv4.parse(REMOTE_POD), Ipv4.parse(NODE1), 8080, snatPort, Protocol.TCP, true));
    }

    @Test
    void aClientPortTakenForTheBackendGetsAnotherSnatPortInTheRange() throws Exception {
        // Two clients, one port, one backend: the second flow can not keep the port.
        TestRunResult first = runXdp(fromClient(tcp(CLIENT, 62100, NODE1, 30081, SYN)).bytes());
        TestRunResult second = runXdp(fromClient(tcp(STRANGER, 62100, NODE1, 30081, SYN)).bytes());
        assertEquals(TX, first.retval());
        assertEquals(TX, second.retval());
        assertEquals(62100, sourcePort(first.packetOut()));
        int other = sourcePort(second.packetOut());
        assertTrue(other != 62100 && other >= 61000 && other <= 65535, "SNAT port " + other);
        // And the reply to that port finds the second client.
        TestRunResult reply = runXdp(tcp(REMOTE_POD, 8080, NODE1, other, SYN | ACK).macs(NODE2_MAC, NODE1_MAC).bytes());
        endSnatedFlow(new CtKey(Ipv4.parse(STRANGER), Ipv4.parse(NODE1), 62100, 30081, Protocol.TCP, false), other);
        assertEquals(Packet.describe(routed(tcp(NODE1, 30081, STRANGER, 62100, SYN | ACK), STRANGER_MAC).bytes()),
                Packet.describe(reply.packetOut()));
    }

    @Test
    void aLocalBackendsReplyLeavesThePodFromTheNodePortStraightToTheClient() throws Exception {
        runXdp(fromClient(tcp(CLIENT, 41200, NODE1, 30080, SYN)).bytes());
        // from_pod on the backend's veth: reverse NAT, then out of eth0 past input routing.
        TestRunResult r = NetNs.call(lab.nodeNs("node1"), () -> datapath.fromPod()
                .testRun(tcp(LOCAL_POD, 8080, CLIENT, 41200, SYN | ACK).bytes(), 1));
        assertEquals(REDIRECT, r.retval());
        assertEquals(Packet.describe(tcp(NODE1, 30080, CLIENT, 41200, SYN | ACK).ttl(63).bytes()),
                Packet.describe(r.packetOut()));
    }

    // ---- next hops (bpf/src/fib.h): bpf_fib_lookup's answer is reused for a second ----

    static final String NODE3 = "192.168.254.13", NODE3_MAC = "020000000013", NODE2_NEW_MAC = "020000000022";
    static final Duration PAST_RECHECK = Duration.ofMillis(1100); // NEXTHOP_RECHECK_NS and a margin

    /** An established remote flow's ACK. */
    private TestRunResult ackOf(int port) throws Exception {
        return runXdp(fromClient(tcp(CLIENT, port, NODE1, 30081, ACK)).bytes());
    }

    /** That ACK as it leaves towards the next hop with nextHopMac. */
    private static String ackRouted(int port, String nextHopMac) {
        return Packet.describe(routed(tcp(NODE1, port, REMOTE_POD, 8080, ACK), nextHopMac).bytes());
    }

    /** A remote flow set up, and its next hop cached on this CPU (the SYN asks with the client as source). */
    private void establishAndCache(int port) throws Exception {
        assertEquals(TX, runXdp(fromClient(tcp(CLIENT, port, NODE1, 30081, SYN)).bytes()).retval());
        assertEquals(ackRouted(port, NODE2_MAC), Packet.describe(ackOf(port).packetOut()));
    }

    /**
     * After a test that moved node2's route or neighbour: the fabric as load() made it, and a
     * wait until no CPU's next-hop cache holds what the test made (its slots are per CPU).
     */
    private void restoreRouting() throws Exception {
        String ns = lab.nodeNs("node1");
        lab.exec(ns, "ip", "neigh", "replace", NODE2, "lladdr", mac(NODE2_MAC), "dev", "eth0", "nud", "permanent");
        lab.exec(ns, "ip", "route", "replace", "10.244.2.0/24", "via", NODE2, "dev", "eth0");
        lab.exec(ns, "ip", "neigh", "flush", "to", NODE3, "dev", "eth0", "nud", "all"); // "all": permanent too
        Thread.sleep(PAST_RECHECK);
    }

    @Test
    void aNextHopsNewMacIsUsedPastASecond() throws Exception {
        establishAndCache(62200);
        try {
            lab.exec(lab.nodeNs("node1"), "ip", "neigh", "replace", NODE2, "lladdr", mac(NODE2_NEW_MAC), "dev", "eth0",
                    "nud", "permanent");
            Thread.sleep(PAST_RECHECK);
            assertEquals(ackRouted(62200, NODE2_NEW_MAC), Packet.describe(ackOf(62200).packetOut()),
                    "past the second: the neighbour's new MAC");
        } finally {
            restoreRouting();
        }
    }

    @Test
    void aChangedRouteIsFollowedPastASecond() throws Exception {
        establishAndCache(62201);
        try {
            String ns = lab.nodeNs("node1");
            lab.exec(ns, "ip", "neigh", "replace", NODE3, "lladdr", mac(NODE3_MAC), "dev", "eth0", "nud", "permanent");
            lab.exec(ns, "ip", "route", "replace", "10.244.2.0/24", "via", NODE3, "dev", "eth0");
            Thread.sleep(PAST_RECHECK);
            TestRunResult r = ackOf(62201);
            assertEquals(TX, r.retval());
            assertEquals(ackRouted(62201, NODE3_MAC), Packet.describe(r.packetOut()), "the new route's next hop");
        } finally {
            restoreRouting();
        }
    }

    @Test
    void aRemovedRouteDropsPastASecond() throws Exception {
        establishAndCache(62202);
        try {
            lab.exec(lab.nodeNs("node1"), "ip", "route", "del", "10.244.2.0/24");
            Thread.sleep(PAST_RECHECK);
            long before = datapath.counters().get(Reason.DROP_NO_ROUTE).packets();
            assertEquals(DROP, ackOf(62202).retval());
            assertEquals(before + 1, datapath.counters().get(Reason.DROP_NO_ROUTE).packets());
        } finally {
            restoreRouting();
        }
    }

    @Test
    void aFrameLongerThanTheRoutesMtuIsDroppedThoughItsNextHopIsCached() throws Exception {
        establishAndCache(62203);
        byte[] big = fromClient(tcp(CLIENT, 62203, NODE1, 30081, ACK).payload(new byte[1500])).bytes();
        long before = datapath.counters().get(Reason.DROP_NO_ROUTE).packets();
        assertEquals(DROP, runXdp(big).retval(), "1540 bytes of IPv4 over eth0's MTU of 1500");
        assertEquals(before + 1, datapath.counters().get(Reason.DROP_NO_ROUTE).packets());
        assertEquals(ackRouted(62203, NODE2_MAC), Packet.describe(ackOf(62203).packetOut()), "a short one still goes");
    }

    // ---- the flow cache (bpf/src/xdp_flows.h): what a flow's last frame got, per CPU ----

    /**
     * The slot of xdp_flows_v2 that answers for the flow whose frames arrive with this conntrack
     * key, on every CPU (entry cpu x slots + slot): some CPU filled it since the key's version was
     * last moved on (the CPU that took the flow's SYN may hold a void entry of it, filled before
     * the SYN created the flow).
     */
    private record CachedFlow(BpfMap flows, int slot, CtKey key, int version) {
        /** Every CPU holds what the CPU that last filled the slot for the flow holds: its next frame meets it anywhere. */
        void everywhere() {
            byte[] value = snapshot().stream().filter(v -> answers(v, key, version)).findFirst()
                    .orElseThrow(() -> new AssertionError("no CPU's xdp_flows_v2 holds " + key));
            restore(Collections.nCopies(cpus(), value));
        }

        /**
         * As {@link #everywhere()}, answering for the next 5 s: an entry answers at most until its
         * next hop's recheck, which an earlier test's lookup may have made due in a few ms.
         */
        void everywhereFor5Seconds() {
            everywhere();
            List<byte[]> perCpu = snapshot();
            perCpu.forEach(v -> MemorySegment.ofArray(v).set(Abi.U64, XdpFlow.VALID_UNTIL, System.nanoTime() + 5_000_000_000L));
            restore(perCpu);
        }

        /** No CPU holds it: the flow's next frame takes the slow path. */
        void nowhere() {
            restore(Collections.nCopies(cpus(), new byte[flows.valueSize()]));
        }

        /** Every CPU's value of the slot, as it is now. */
        List<byte[]> snapshot() {
            return IntStream.range(0, cpus()).mapToObj(cpu -> flows.lookup(entry(cpu)).orElseThrow()).toList();
        }

        /** The slot as a snapshot found it, on every CPU: what a CPU that missed later changes holds. */
        void restore(List<byte[]> snapshot) {
            for (int cpu = 0; cpu < cpus(); cpu++) flows.update(entry(cpu), snapshot.get(cpu), UpdateFlag.ANY);
        }

        private static int cpus() {
            return PossibleCpus.count();
        }

        private byte[] entry(int cpu) {
            return u32(cpu * slotsPerCpu() + slot);
        }

        private static int slotsPerCpu() {
            return Datapath.xdpFlowSlotsPerCpu(PossibleCpus.count());
        }

        /** Whether a struct xdp_flow holds the key at this version (-1: at any), and is no empty slot. */
        static boolean answers(byte[] value, CtKey key, int version) {
            byte[] encoded = new byte[CtKey.CODEC.size()];
            CtKey.CODEC.encode(key, MemorySegment.ofArray(encoded));
            MemorySegment flow = MemorySegment.ofArray(value);
            return flow.asSlice(XdpFlow.KEY, encoded.length).mismatch(MemorySegment.ofArray(encoded)) == -1
                    && flow.get(Abi.U64, XdpFlow.VALID_UNTIL) != 0 && (version == -1 || flow.get(Abi.U32, XdpFlow.VERSION) == version);
        }
    }

    /** The home slot of the flow whose frames arrive with this key: its hash, as xdp_flows.h takes it. */
    private static int homeSlot(CtKey key) {
        return FlowHash.ctKeyHash(key) & (CachedFlow.slotsPerCpu() - 1);
    }

    /** The slot of the flow whose frames arrive with this key, its home or the home's neighbour, which some CPU filled. */
    private CachedFlow cached(CtKey key) {
        BpfMap flows = datapath.map("xdp_flows_v2");
        int version = datapath.map("flow_versions_v1").lookup(u32(Conntrack.versionSlot(key)))
                .map(v -> Abi.U32_CODEC.decode(MemorySegment.ofArray(v))).orElseThrow();
        for (int slot : new int[]{homeSlot(key), homeSlot(key) ^ 1}) {
            CachedFlow cached = new CachedFlow(flows, slot, key, version);
            if (cached.snapshot().stream().anyMatch(v -> CachedFlow.answers(v, key, -1))) return cached;
        }
        throw new AssertionError("no CPU's xdp_flows_v2 holds " + key);
    }

    private static CtKey forwardKey(int port, int nodePort) {
        return new CtKey(Ipv4.parse(CLIENT), Ipv4.parse(NODE1), port, nodePort, Protocol.TCP, false);
    }

    /** A remote flow set up, and cached on every CPU for the next 5 s. Returns its forward key. */
    private CtKey establishAndCacheEverywhere(int port) throws Exception {
        establishAndCache(port);
        CtKey flow = forwardKey(port, 30081);
        cached(flow).everywhereFor5Seconds();
        return flow;
    }

    private TypedMap<CtKey, CtValue> conntrackMap() {
        return datapath.map("ct_v1").typed(CtKey.CODEC, CtValue.CODEC);
    }

    @Test
    void aCachedFlowsFramesAreTranslatedWithoutAskingConntrack() throws Exception {
        CtKey flow = establishAndCacheEverywhere(62300);
        assertTrue(conntrackMap().remove(flow), "the forward entry, removed behind the agent's back");
        assertEquals(ackRouted(62300, NODE2_MAC), Packet.describe(ackOf(62300).packetOut()));
        assertTrue(conntrackMap().get(flow).isEmpty(), "translated from the cache, not as a new flow");
    }

    /**
     * Two flows whose keys share a home slot: the second goes to the home's neighbour, so both
     * keep being answered from the cache (direct mapped, each would evict the other).
     */
    @Test
    void twoFlowsSharingAHomeSlotAreBothAnsweredFromTheCache() throws Exception {
        int[] ports = portsSharingAHomeSlot(63000, 65000);
        CtKey first = establishAndCacheEverywhere(ports[0]);
        establishAndCache(ports[1]); // on whichever CPU: its home there holds the first flow
        CtKey second = forwardKey(ports[1], 30081);
        CachedFlow secondCached = cached(second);
        assertEquals(homeSlot(second) ^ 1, secondCached.slot(), "the second flow in the home's neighbour");
        secondCached.everywhereFor5Seconds();
        // Keys sharing a home share their flow_versions_v1 counter too: the second's creation voided the first's entry.
        assertEquals(ackRouted(ports[0], NODE2_MAC), Packet.describe(ackOf(ports[0]).packetOut()));
        CachedFlow firstCached = cached(first);
        assertEquals(homeSlot(first), firstCached.slot(), "the first flow still at home");
        firstCached.everywhereFor5Seconds();
        for (int i = 0; i < 2; i++) {
            CtKey flow = i == 0 ? first : second;
            assertTrue(conntrackMap().remove(flow), "the forward entry, removed behind the agent's back");
            assertEquals(ackRouted(ports[i], NODE2_MAC), Packet.describe(ackOf(ports[i]).packetOut()));
            assertTrue(conntrackMap().get(flow).isEmpty(), "translated from the cache, not as a new flow");
        }
    }

    /** Two client ports in [from, to) whose forward keys to node1:30081 share a home slot (in SNAT's range, so SNAT keeps them). */
    private static int[] portsSharingAHomeSlot(int from, int to) {
        Map<Integer, Integer> portOfSlot = new HashMap<>();
        for (int port = from; port < to; port++) {
            Integer earlier = portOfSlot.putIfAbsent(homeSlot(forwardKey(port, 30081)), port);
            if (earlier != null) return new int[]{earlier, port};
        }
        throw new AssertionError("no two ports in [" + from + ", " + to + ") share a home slot");
    }

    @Test
    void aRemoteBackendsRepliesAreTranslatedFromTheCacheToo() throws Exception {
        int port = 62305;
        establishAndCache(port); // the client's port is free on the node: SNAT keeps it
        Packet reply = tcp(REMOTE_POD, 8080, NODE1, port, ACK).macs(NODE2_MAC, NODE1_MAC);
        String toClient = Packet.describe(routed(tcp(NODE1, 30081, CLIENT, port, ACK), CLIENT_MAC).bytes());
        assertEquals(toClient, Packet.describe(runXdp(reply.bytes()).packetOut()));
        CtKey replyKey = new CtKey(Ipv4.parse(REMOTE_POD), Ipv4.parse(NODE1), 8080, port, Protocol.TCP, true);
        cached(replyKey).everywhereFor5Seconds();
        assertTrue(conntrackMap().remove(replyKey), "the reply entry, removed behind the agent's back");
        assertEquals(toClient, Packet.describe(runXdp(reply.bytes()).packetOut()), "translated from the cache");
    }

    /**
     * A client port reused for a new flow after a reset: the new flow gets another SNAT port (the
     * client's port is outside the range, so it is random), and a CPU that still holds the old
     * flow's entry (planted back on every CPU here) must not send the new flow's frames with the
     * old port: the new flow's creation moved its key's version on (flow_versions_v1).
     */
    @Test
    void aReusedClientPortNeverGetsTheOldFlowsTranslationFromAnyCpu() throws Exception {
        int port = 41600;
        CtKey flow = new CtKey(Ipv4.parse(CLIENT), Ipv4.parse(NODE1), port, 30081, Protocol.TCP, false);
        assertEquals(TX, runXdp(fromClient(tcp(CLIENT, port, NODE1, 30081, SYN)).bytes()).retval());
        assertEquals(TX, runXdp(fromClient(tcp(CLIENT, port, NODE1, 30081, ACK)).bytes()).retval());
        CachedFlow cached = cached(flow);
        cached.everywhere();
        List<byte[]> old = cached.snapshot();
        int oldSnatPort = conntrackMap().get(flow).orElseThrow().peerPort();
        assertEquals(TX, runXdp(fromClient(tcp(CLIENT, port, NODE1, 30081, RST)).bytes()).retval());
        assertEquals(TX, runXdp(fromClient(tcp(CLIENT, port, NODE1, 30081, SYN)).bytes()).retval());
        int newSnatPort = conntrackMap().get(flow).orElseThrow().peerPort();
        cached.restore(old);
        TestRunResult ack = runXdp(fromClient(tcp(CLIENT, port, NODE1, 30081, ACK)).bytes());
        assertEquals(newSnatPort, sourcePort(ack.packetOut()), "the new flow's SNAT port (the old one was " + oldSnatPort + ")");
        endSnatedFlow(flow, newSnatPort);
    }

    @Test
    void framesOfFlowsTheAgentEndedAreNotAnsweredFromTheCache() throws Exception {
        CtKey flow = establishAndCacheEverywhere(62301);
        int svcId = conntrackMap().get(flow).orElseThrow().svcId();
        assertTrue(datapath.conntrack().endFlowsOf(Set.of(svcId)) >= 2);
        assertEquals(ackRouted(62301, NODE2_MAC), Packet.describe(ackOf(62301).packetOut()));
        assertTrue(conntrackMap().get(flow).isPresent(), "the ACK went the slow way and started the flow anew");
    }

    @Test
    void aFinTakesTheSlowPathAndClosesTheFlow() throws Exception {
        CtKey flow = establishAndCacheEverywhere(62302);
        TestRunResult r = runXdp(fromClient(tcp(CLIENT, 62302, NODE1, 30081, FIN | ACK)).bytes());
        assertEquals(TX, r.retval());
        assertEquals(Packet.describe(routed(tcp(NODE1, 62302, REMOTE_POD, 8080, FIN | ACK), NODE2_MAC).bytes()),
                Packet.describe(r.packetOut()));
        assertNotEquals(0, conntrackMap().get(flow).orElseThrow().flags() & CtValue.F_CLOSING);
    }

    @Test
    void aFlowWhoseBackendIsGoneIsNotAnsweredFromTheCache() throws Exception {
        CtKey flow = establishAndCacheEverywhere(62303);
        int backendId = conntrackMap().get(flow).orElseThrow().backendId();
        TypedMap<Integer, BackendValue> backends = datapath.map("backends_v2").typed(Abi.U32_CODEC, BackendValue.CODEC);
        int slot = BackendSlots.slotOf(backendId, datapath.map("backends_v2").maxEntries());
        BackendValue backend = backends.get(slot).orElseThrow();
        long before = datapath.counters().get(Reason.DROP_NO_SLOT).packets();
        backends.put(slot, new BackendValue(0, Ipv4.parse("0.0.0.0"), 0, 0)); // the slot emptied, its id gone
        try {
            assertEquals(DROP, ackOf(62303).retval(), "a new flow, whose pick finds the backend gone");
            assertEquals(before + 1, datapath.counters().get(Reason.DROP_NO_SLOT).packets());
        } finally {
            backends.put(slot, backend);
        }
    }

    /**
     * The cache answers only until the flow is due for a refresh (once a second, conntrack.h), not
     * a second from when it was filled: filled 0.6 s into the flow's second, it must let the
     * frame 1.2 s in refresh the flow. (A local backend: no next hop, whose own recheck would
     * end the entry at the same second.)
     */
    @Test
    void aCachedFlowIsRefreshedWhenItIsDueAsWithoutTheCache() throws Exception {
        int port = 41400;
        Packet ack = fromClient(tcp(CLIENT, port, NODE1, 30080, ACK));
        assertEquals(PASS, runXdp(fromClient(tcp(CLIENT, port, NODE1, 30080, SYN)).bytes()).retval());
        long synSent = System.nanoTime();
        CtKey flow = forwardKey(port, 30080);
        long deadline = conntrackMap().get(flow).orElseThrow().expiresNs();
        CachedFlow cached = cached(flow);
        Thread.sleep(Math.max(0, 600 - (System.nanoTime() - synSent) / 1_000_000));
        cached.nowhere();
        assertEquals(PASS, runXdp(ack.bytes()).retval());
        assertEquals(deadline, conntrackMap().get(flow).orElseThrow().expiresNs(), "not due yet: left alone");
        cached.everywhere();
        Thread.sleep(600);
        assertEquals(Packet.describe(fromClient(tcp(CLIENT, port, LOCAL_POD, 8080, ACK)).bytes()),
                Packet.describe(runXdp(ack.bytes()).packetOut()));
        long refreshed = conntrackMap().get(flow).orElseThrow().expiresNs();
        assertTrue(refreshed - deadline >= Duration.ofSeconds(1).toNanos(),
                "moved by " + (refreshed - deadline) + " ns: the frame 1.2 s in refreshes the flow, cached or not");
    }

    // ---- the frontend address filter (frontend_addrs_v1): frames to other addresses pass at once ----

    /** frag_v1's key of a datagram from CLIENT with IP id 0x1234 (Packet's) to {@code to}. */
    private static byte[] fragKey(String to) {
        return ByteBuffer.allocate(12).put(Ipv4.parse(CLIENT).getAddress()).put(Ipv4.parse(to).getAddress())
                .putShort((short) 0x1234).put((byte) TCP).put((byte) 0).array();
    }

    @Test
    void onlyFramesToAFrontendAddressAreLookedAt() throws Exception {
        BpfMap frags = datapath.map("frag_v1");
        byte[] toPod = fromClient(tcp(CLIENT, 41500, LOCAL_POD, 8080, ACK).payload(new byte[64])).fragments(32).getFirst();
        byte[] toNodePort = fromClient(tcp(CLIENT, 41501, NODE1, 30080, ACK).payload(new byte[64])).fragments(32).getFirst();
        assertEquals(PASS, runXdp(toPod).retval());
        assertEquals(PASS, runXdp(toNodePort).retval());
        assertTrue(frags.lookup(fragKey(LOCAL_POD)).isEmpty(), "a pod's address: passed before fragment tracking");
        assertTrue(frags.lookup(fragKey(NODE1)).isPresent(), "a NodePort's address: tracked");
    }

    @Test
    void anXdpInterfacesSnatAddressIsAFrontendAddressWhileTheInterfaceHasIt() {
        Inet4Address snat = Ipv4.parse("192.168.254.99"); // no frontend's address
        int bit = AddressFilter.FRONTEND_ADDRS.bitOf(snat);
        BpfMap words = datapath.map("frontend_addrs_v1");
        datapath.nodeportInterfaces().put(4242, snat);
        try {
            assertNotEquals(0, Abi.U64_CODEC.decode(MemorySegment.ofArray(words.lookup(u32(bit / 64)).orElseThrow()))
                    & (1L << (bit % 64)));
        } finally {
            datapath.nodeportInterfaces().remove(4242);
        }
        assertEquals(0, Abi.U64_CODEC.decode(MemorySegment.ofArray(words.lookup(u32(bit / 64)).orElseThrow()))
                & (1L << (bit % 64)));
    }

    private static byte[] u32(int value) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array();
    }

    @Test
    void countersSayWhy() throws Exception {
        long before = datapath.counters().get(Reason.DROP_SOURCE_RANGE).packets();
        runXdp(fromClient(tcp(STRANGER, 41300, LB_IP, 80, SYN)).bytes());
        assertEquals(before + 1, datapath.counters().get(Reason.DROP_SOURCE_RANGE).packets());
    }

    private static int sourcePort(byte[] frame) {
        int ihl = (frame[14] & 0xf) * 4;
        return ByteBuffer.wrap(frame).getShort(14 + ihl) & 0xffff;
    }
}
