package dev.ferry.agent.datapath;

import dev.ferry.agent.model.Ipv4;
import dev.ferry.agent.datapath.abi.Abi;
import dev.ferry.agent.datapath.abi.Counter;
import dev.ferry.agent.datapath.abi.Reason;
import dev.ferry.agent.k8s.Manifests;
import dev.ferry.agent.model.LocalNode;
import dev.ferry.agent.reconcile.Reconciler;
import dev.ferry.agent.testing.Privileged;
import dev.ferry.agent.testing.TempBpffs;
import dev.ferry.agent.translate.ServiceTranslator;
import dev.ferry.bpf.BpfProgram;
import dev.ferry.bpf.TestRunResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import static dev.ferry.agent.datapath.Packet.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The pod datapath under BPF_PROG_TEST_RUN: packets in, exact packets (checksums included) and
 * verdicts out. The maps are filled by the agent's own translator and reconciler from YAML.
 * Each case uses its own client port, so conntrack state never leaks between cases.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DatapathTableTest {
    static final int OK = 0, SHOT = 2, REDIRECT = 7;

    static final String CLIENT = "10.244.1.10", WEB_VIP = "10.96.0.10", DNS_VIP = "10.96.0.53",
            EMPTY_VIP = "10.96.0.20", PAIR_VIP = "10.96.0.30", B1 = "10.244.1.11", B2 = "10.244.1.12",
            HAIRPIN = "169.254.42.1", OTHER = "10.244.1.99", LOCAL_VIP = "10.96.0.40",
            STICKY_VIP = "10.96.0.50", NODE_IP = "192.168.254.11";

    static final String SERVICES = """
            apiVersion: networking.k8s.io/v1
            kind: ServiceCIDR
            metadata: {name: kubernetes}
            spec: {cidrs: [10.96.0.0/16]}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: t}
            spec: {type: NodePort, clusterIP: 10.96.0.10, ports: [{port: 80, targetPort: 8080, nodePort: 30080}]}
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: web-1, namespace: t, labels: {kubernetes.io/service-name: web}}
            addressType: IPv4
            ports: [{port: 8080}]
            endpoints: [{addresses: [10.244.1.11]}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: dns, namespace: t}
            spec: {clusterIP: 10.96.0.53, ports: [{port: 53, protocol: UDP, targetPort: 5353}]}
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: dns-1, namespace: t, labels: {kubernetes.io/service-name: dns}}
            addressType: IPv4
            ports: [{port: 5353, protocol: UDP}]
            endpoints: [{addresses: [10.244.1.12]}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: empty, namespace: t}
            spec: {clusterIP: 10.96.0.20, ports: [{port: 80}, {port: 53, protocol: UDP}]}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: pair, namespace: t}
            spec: {clusterIP: 10.96.0.30, ports: [{port: 80}]}
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: pair-1, namespace: t, labels: {kubernetes.io/service-name: pair}}
            addressType: IPv4
            ports: [{port: 80}]
            endpoints: [{addresses: [10.244.1.11]}, {addresses: [10.244.1.12]}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: local, namespace: t}
            spec: {clusterIP: 10.96.0.40, internalTrafficPolicy: Local, ports: [{port: 80}]}
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: local-1, namespace: t, labels: {kubernetes.io/service-name: local}}
            addressType: IPv4
            ports: [{port: 80}]
            endpoints: [{addresses: [10.244.2.11], nodeName: node2}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: sticky, namespace: t}
            spec: {clusterIP: 10.96.0.50, sessionAffinity: ClientIP, ports: [{port: 80}]}
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: sticky-1, namespace: t, labels: {kubernetes.io/service-name: sticky}}
            addressType: IPv4
            ports: [{port: 80}]
            endpoints: [{addresses: [10.244.1.11]}, {addresses: [10.244.1.12]}, {addresses: [10.244.1.13]}]
            """;

    private TempBpffs bpffs;
    private Datapath datapath;

    @BeforeAll
    void load() {
        Privileged.require();
        bpffs = new TempBpffs();
        datapath = Datapath.load(bpffs.root(), new Datapath.Settings(Ipv4.parse(HAIRPIN)));
        new Reconciler(datapath.serviceMaps()).apply(ServiceTranslator.translate(Manifests.parse(SERVICES).cluster(),
                new LocalNode("node1", List.of(Ipv4.parse(NODE_IP)))));
    }

    @AfterAll
    void unload() throws Exception {
        if (datapath != null) datapath.close();
        if (bpffs != null) bpffs.close();
    }

    /** One row: packets sent before (to set up conntrack), the packet under test, what must come out. */
    record Case(String description, boolean fromPod, List<byte[]> setup, byte[] in, int verdict, byte[] out) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Case fromPod(String d, Packet in, int verdict, Packet out) {
        return new Case(d, true, List.of(), in.bytes(), verdict, out == null ? in.bytes() : out.bytes());
    }

    static Case fromPodRaw(String d, byte[] in, int verdict) {
        return new Case(d, true, List.of(), in, verdict, in);
    }

    static Case after(List<Packet> setup, Case c) {
        return new Case(c.description, c.fromPod, setup.stream().map(Packet::bytes).toList(), c.in, c.verdict, c.out);
    }

    static Stream<Case> cases() {
        Packet syn = Packet.tcp(CLIENT, 40001, WEB_VIP, 80, SYN);
        Packet ack = Packet.tcp(CLIENT, 40002, WEB_VIP, 80, ACK).payload("GET /".getBytes());
        Packet synAck = Packet.tcp(B1, 8080, CLIENT, 40003, SYN | ACK);
        Packet udp = Packet.udp(CLIENT, 40010, DNS_VIP, 53);
        byte[] arp = HexFormat.of().parseHex("ffffffffffff0a00000000010806000108000604000100000000000a0af40101000000000000"
                + "0af40102");
        return Stream.of(
                fromPod("TCP SYN to a ClusterIP is DNATed to its backend", syn, OK, syn.dst(B1, 8080)),
                after(List.of(Packet.tcp(CLIENT, 40002, WEB_VIP, 80, SYN)),
                        fromPod("TCP data of an established flow keeps its backend", ack, OK, ack.dst(B1, 8080))),
                after(List.of(Packet.tcp(CLIENT, 40003, WEB_VIP, 80, SYN)),
                        fromPod("TCP reply leaves a local backend untouched: reverse NAT waits until after routing",
                                synAck, OK, null)),
                after(List.of(Packet.tcp(CLIENT, 40004, WEB_VIP, 80, SYN)),
                        new Case("TCP reply entering the client pod is reverse-NATed", false,
                                List.of(), Packet.tcp(B1, 8080, CLIENT, 40004, SYN | ACK).bytes(), OK,
                                Packet.tcp(WEB_VIP, 80, CLIENT, 40004, SYN | ACK).bytes())),
                fromPod("UDP to a ClusterIP is DNATed with a correct checksum", udp, OK, udp.dst(B2, 5353)),
                fromPod("a pod reaching its node's address on a NodePort is DNATed like a ClusterIP",
                        Packet.tcp(CLIENT, 40005, NODE_IP, 30080, SYN), OK, Packet.tcp(CLIENT, 40005, B1, 8080, SYN)),
                fromPod("UDP with a zero checksum keeps it zero", udp.src(CLIENT, 40011).udpZeroChecksum(), OK,
                        udp.src(CLIENT, 40011).udpZeroChecksum().dst(B2, 5353)),
                after(List.of(Packet.udp(CLIENT, 40012, DNS_VIP, 53)),
                        new Case("UDP reply is reverse-NATed entering the client pod", false, List.of(),
                                Packet.udp(B2, 5353, CLIENT, 40012).bytes(), OK,
                                Packet.udp(DNS_VIP, 53, CLIENT, 40012).bytes())),
                after(List.of(Packet.tcp(CLIENT, 40090, WEB_VIP, 80, SYN), Packet.tcp(CLIENT, 40090, B1, 8080, SYN)),
                        fromPod("a direct flow reusing a service flow's port is not reverse-NATed by the old entry",
                                Packet.tcp(B1, 8080, CLIENT, 40090, SYN | ACK), OK, null)),
                fromPod("TCP to an address that is no service passes untouched",
                        Packet.tcp(CLIENT, 40020, OTHER, 80, SYN), OK, null),
                fromPod("TCP to a ClusterIP on a port it does not serve is rejected",
                        Packet.tcp(CLIENT, 40021, WEB_VIP, 81, SYN), REDIRECT,
                        Packet.tcp(WEB_VIP, 81, CLIENT, 40021, RST | ACK).seq(0, 1001).window(0)
                                .ipHeader(0, 0, true).swapMacs()),
                fromPod("UDP never matches a TCP service port: ICMP port unreachable",
                        Packet.udp(CLIENT, 40022, WEB_VIP, 80), REDIRECT,
                        portUnreachable(Packet.udp(CLIENT, 40022, WEB_VIP, 80))),
                fromPod("TCP never matches a UDP service port: RST",
                        Packet.tcp(CLIENT, 40023, DNS_VIP, 53, SYN), REDIRECT,
                        Packet.tcp(DNS_VIP, 53, CLIENT, 40023, RST | ACK).seq(0, 1001).window(0)
                                .ipHeader(0, 0, true).swapMacs()),
                fromPod("only new flows are judged: an ACK to an unserved ClusterIP port passes untouched",
                        Packet.tcp(CLIENT, 40024, WEB_VIP, 81, ACK), OK, null),
                fromPod("a new flow to an unallocated address inside a ServiceCIDR is dropped",
                        Packet.tcp(CLIENT, 40025, "10.96.0.99", 80, SYN), SHOT, null),
                fromPod("UDP to an unallocated address inside a ServiceCIDR is dropped",
                        Packet.udp(CLIENT, 40026, "10.96.0.99", 53), SHOT, null),
                fromPodRaw("ARP passes untouched", arp, OK),
                fromPodRaw("IPv6 passes untouched", ipv6Frame(), OK),
                fromPod("ICMP echo to a ClusterIP passes untouched",
                        Packet.raw(CLIENT, WEB_VIP, ICMP, HexFormat.of().parseHex("0800f7fe00010000")), OK, null),
                fromPodRaw("IPv4 header longer than the frame (IHL 6, 20 bytes present) is dropped",
                        ihl6Truncated(Packet.tcp(CLIENT, 40030, WEB_VIP, 80, SYN).bytes()), SHOT),
                fromPodRaw("IPv4 total length below the header length is dropped",
                        totLen(Packet.tcp(CLIENT, 40032, WEB_VIP, 80, SYN).bytes(), 10), SHOT),
                fromPodRaw("TCP header cut short is dropped",
                        Packet.raw(CLIENT, WEB_VIP, TCP, HexFormat.of().parseHex("9c7e0050000003e8")).bytes(), SHOT),
                fromPodRaw("IHL below 5 is dropped", badIhl(Packet.tcp(CLIENT, 40031, WEB_VIP, 80, SYN).bytes()), SHOT),
                fromPod("IP options are kept and the packet DNATed",
                        syn.src(CLIENT, 40040).ipOptions(new byte[]{1, 1, 1, 0}), OK,
                        syn.src(CLIENT, 40040).ipOptions(new byte[]{1, 1, 1, 0}).dst(B1, 8080)),
                fromPod("hairpin: a backend reaching itself is SNATed and bounced straight back into the pod",
                        Packet.tcp(B1, 40050, WEB_VIP, 80, SYN), REDIRECT,
                        Packet.tcp(HAIRPIN, 40050, B1, 8080, SYN).swapMacs()),
                after(List.of(Packet.tcp(B1, 40051, WEB_VIP, 80, SYN)),
                        fromPod("hairpin reply comes back to the pod from the VIP",
                                Packet.tcp(B1, 8080, HAIRPIN, 40051, SYN | ACK), REDIRECT,
                                Packet.tcp(WEB_VIP, 80, B1, 40051, SYN | ACK).swapMacs())),
                fromPod("TCP SYN to a service without endpoints is answered with RST+ACK",
                        Packet.tcp(CLIENT, 40080, EMPTY_VIP, 80, SYN), REDIRECT,
                        Packet.tcp(EMPTY_VIP, 80, CLIENT, 40080, RST | ACK).seq(0, 1001).window(0)
                                .ipHeader(0, 0, true).swapMacs()),
                fromPod("TCP data to a service without endpoints is answered with RST, seq = its ack",
                        Packet.tcp(CLIENT, 40081, EMPTY_VIP, 80, ACK), REDIRECT,
                        Packet.tcp(EMPTY_VIP, 80, CLIENT, 40081, RST).seq(5000, 0).window(0)
                                .ipHeader(0, 0, true).swapMacs()),
                fromPod("TCP RST to a service without endpoints is dropped, never answered",
                        Packet.tcp(CLIENT, 40082, EMPTY_VIP, 80, RST), SHOT, null),
                fromPod("internalTrafficPolicy Local without a local endpoint is dropped, never rejected",
                        Packet.tcp(CLIENT, 40084, LOCAL_VIP, 80, SYN), SHOT, null),
                fromPod("UDP to a service without endpoints is answered with ICMP port unreachable",
                        Packet.udp(CLIENT, 40083, EMPTY_VIP, 53), REDIRECT,
                        portUnreachable(Packet.udp(CLIENT, 40083, EMPTY_VIP, 53)))
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void table(Case c) {
        for (byte[] setup : c.setup) run(true, setup); // flows always start leaving a pod
        TestRunResult r = run(c.fromPod, c.in);
        assertEquals(c.verdict, r.retval(), c.description + ": verdict");
        if (c.verdict != SHOT) {
            assertEquals(Packet.describe(c.out), Packet.describe(r.packetOut()), c.description + ": packet");
        }
    }

    @Test
    void fragmentsOfADatagramAreAllDnated() {
        Packet big = Packet.udp(CLIENT, 40060, DNS_VIP, 53).payload(new byte[64]);
        List<byte[]> in = big.fragments(32);
        List<byte[]> expected = big.dst(B2, 5353).fragments(32);
        for (int i = 0; i < in.size(); i++) {
            TestRunResult r = run(true, in.get(i));
            assertEquals(OK, r.retval(), "fragment " + i);
            assertEquals(Packet.describe(expected.get(i)), Packet.describe(r.packetOut()), "fragment " + i);
        }
    }

    @Test
    void aLaterFragmentWithoutItsFirstPassesUntouched() {
        byte[] later = Packet.udp(CLIENT, 40061, DNS_VIP, 53).payload(new byte[64]).fragments(32).get(1);
        TestRunResult r = run(true, later);
        assertEquals(OK, r.retval());
        assertArrayEquals(later, r.packetOut());
    }

    @Test
    void newFlowsAreSpreadOverAllBackends() {
        Set<String> chosen = new HashSet<>();
        for (int port = 41000; port < 41064; port++) {
            TestRunResult r = run(true, Packet.tcp(CLIENT, port, PAIR_VIP, 80, SYN).bytes());
            assertEquals(OK, r.retval());
            chosen.add(destination(r.packetOut()));
        }
        assertEquals(Set.of(B1, B2), chosen);
    }

    @Test
    void sessionAffinitySendsEveryNewFlowOfAClientToOneBackend() {
        for (String client : List.of("10.244.1.50", "10.244.1.51", "10.244.1.52")) {
            Set<String> chosen = new HashSet<>();
            for (int port = 42000; port < 42020; port++) {
                TestRunResult r = run(true, Packet.tcp(client, port, STICKY_VIP, 80, SYN).bytes());
                assertEquals(OK, r.retval());
                chosen.add(destination(r.packetOut()));
            }
            assertEquals(1, chosen.size(), client + " spread over " + chosen);
        }
    }

    @Test
    void withoutAffinityAClientsFlowsSpread() {
        Set<String> chosen = new HashSet<>();
        for (int port = 42100; port < 42140; port++) {
            chosen.add(destination(run(true, Packet.tcp("10.244.1.53", port, PAIR_VIP, 80, SYN).bytes()).packetOut()));
        }
        assertEquals(2, chosen.size());
    }

    @Test
    void countersCountEveryPacketOnceByReason() {
        Map<Reason, Counter> before = datapath.counters();
        run(true, Packet.tcp(CLIENT, 40070, OTHER, 80, SYN).bytes());
        run(true, Packet.tcp(CLIENT, 40071, WEB_VIP, 80, SYN).bytes());
        Map<Reason, Counter> after = datapath.counters();
        assertEquals(1, after.get(Reason.PASS).packets() - before.get(Reason.PASS).packets());
        assertEquals(1, after.get(Reason.DNAT).packets() - before.get(Reason.DNAT).packets());
        long total = Stream.of(Reason.values()).mapToLong(r -> after.get(r).packets() - before.get(r).packets()).sum();
        assertEquals(2, total);
    }

    // ---- svc_addrs_v1: packets from and to other addresses skip conntrack and the services ----

    @Test
    void theAddressBitmapsAreAsLargeAsTheAgentKeepsThem() {
        for (AddressFilter.Shape shape : List.of(AddressFilter.FRONTEND_ADDRS, AddressFilter.SVC_ADDRS)) {
            assertEquals(shape.words() + 1, datapath.map(shape.map()).maxEntries(), shape.map());
        }
    }

    @Test
    void everyFrontendAndBackendAddressHasItsBitAndNoOtherPodDoes() {
        for (String address : List.of(WEB_VIP, DNS_VIP, EMPTY_VIP, PAIR_VIP, LOCAL_VIP, STICKY_VIP, NODE_IP,
                B1, B2, "10.244.1.13")) {
            assertTrue(inServiceAddresses(datapath, address), address);
        }
        assertFalse(inServiceAddresses(datapath, CLIENT), "a client is no service's");
        assertFalse(inServiceAddresses(datapath, OTHER), "nor is a pod no service has");
    }

    @Test
    void aRemovedFrontendsFlowsAreNoLongerLookedUpThoughTheirBackendStays() throws Exception {
        String stay = """
                apiVersion: v1
                kind: Service
                metadata: {name: stay, namespace: t}
                spec: {clusterIP: 10.96.0.71, ports: [{port: 80, targetPort: 8080}]}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: stay-1, namespace: t, labels: {kubernetes.io/service-name: stay}}
                addressType: IPv4
                ports: [{port: 8080}]
                endpoints: [{addresses: [10.244.1.11]}]
                """;
        String gone = stay.replace("stay", "gone").replace("10.96.0.71", "10.96.0.70");
        LocalNode node = new LocalNode("node1", List.of(Ipv4.parse(NODE_IP)));
        try (TempBpffs root = new TempBpffs(); Datapath own = Datapath.load(root.root(), new Datapath.Settings(Ipv4.parse(HAIRPIN)))) {
            Reconciler reconciler = new Reconciler(own.serviceMaps());
            reconciler.apply(ServiceTranslator.translate(Manifests.parse(stay + "---\n" + gone).cluster(), node));
            BpfProgram fromPod = own.fromPod();
            Packet ack = Packet.tcp(CLIENT, 40110, "10.96.0.70", 80, ACK).payload("GET /".getBytes());
            assertEquals(OK, fromPod.testRun(Packet.tcp(CLIENT, 40110, "10.96.0.70", 80, SYN).bytes(), 1).retval());
            assertEquals(Packet.describe(ack.dst(B1, 8080).bytes()), Packet.describe(fromPod.testRun(ack.bytes(), 1).packetOut()),
                    "the flow is tracked");

            // Its conntrack entries stay here (the agent ends a removed frontend's flows right after the pass),
            // and so does its backend, which the other service keeps.
            reconciler.apply(ServiceTranslator.translate(Manifests.parse(stay).cluster(), node));
            assertFalse(inServiceAddresses(own, "10.96.0.70"));
            assertTrue(inServiceAddresses(own, B1));
            assertEquals(Packet.describe(ack.bytes()), Packet.describe(fromPod.testRun(ack.bytes(), 1).packetOut()),
                    "an address no frontend has is not looked up: the packet passes untouched");
        }
    }

    /** Whether svc_addrs_v1 has the bit of this address set, and is marked complete. */
    private static boolean inServiceAddresses(Datapath datapath, String address) {
        AddressFilter.Shape shape = AddressFilter.SVC_ADDRS;
        var words = datapath.map(shape.map()).typed(Abi.U32_CODEC, Abi.U64_CODEC);
        assertEquals(Optional.of(1L), words.get(shape.words()), "published");
        int bit = shape.bitOf(Ipv4.parse(address));
        return (words.get(bit / 64).orElseThrow() & (1L << (bit % 64))) != 0;
    }

    private TestRunResult run(boolean fromPod, byte[] packet) {
        BpfProgram program = fromPod ? datapath.fromPod() : datapath.toPod();
        return program.testRun(packet, 1);
    }

    /** ICMP 3/3 from the datagram's destination back to its source, quoting its IP header and 8 bytes, as Linux builds it. */
    static Packet portUnreachable(Packet udp) {
        byte[] frame = udp.bytes();
        String vip = destination(frame);
        String client = (frame[26] & 0xff) + "." + (frame[27] & 0xff) + "." + (frame[28] & 0xff) + "." + (frame[29] & 0xff);
        byte[] icmp = new byte[8 + 20 + 8];
        icmp[0] = 3;
        icmp[1] = 3;
        System.arraycopy(frame, 14, icmp, 8, 28);
        int sum = Packet.checksum(icmp, 0, icmp.length);
        icmp[2] = (byte) (sum >> 8);
        icmp[3] = (byte) sum;
        return Packet.raw(vip, client, ICMP, icmp).ipHeader(0, 0xc0, false).swapMacs();
    }

    static String destination(byte[] frame) {
        return (frame[30] & 0xff) + "." + (frame[31] & 0xff) + "." + (frame[32] & 0xff) + "." + (frame[33] & 0xff);
    }

    static byte[] ipv6Frame() {
        byte[] f = new byte[14 + 40 + 8];
        f[12] = (byte) 0x86;
        f[13] = (byte) 0xdd;
        f[14] = 0x60;
        f[18] = 0;
        f[19] = 8;
        f[20] = 17;
        f[21] = 64;
        return f;
    }

    /** The kernel's test-run refuses frames shorter than an IPv4 header, so claim a longer one. */
    static byte[] ihl6Truncated(byte[] frame) {
        byte[] f = Arrays.copyOf(frame, 14 + 20);
        f[14] = 0x46;
        return f;
    }

    static byte[] totLen(byte[] frame, int totLen) {
        byte[] f = frame.clone();
        f[16] = (byte) (totLen >> 8);
        f[17] = (byte) totLen;
        return f;
    }

    static byte[] badIhl(byte[] frame) {
        byte[] f = frame.clone();
        f[14] = 0x44;
        return f;
    }
}
