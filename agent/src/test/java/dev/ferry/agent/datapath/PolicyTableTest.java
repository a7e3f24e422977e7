package dev.ferry.agent.datapath;

import dev.ferry.agent.datapath.abi.DropEvent;
import dev.ferry.agent.datapath.abi.PolicyCtKey;
import dev.ferry.agent.datapath.abi.PolicyCtValue;
import dev.ferry.agent.datapath.abi.Reason;
import dev.ferry.agent.k8s.Manifests;
import dev.ferry.agent.model.Ipv4;
import dev.ferry.agent.model.LocalNode;
import dev.ferry.agent.model.Protocol;
import dev.ferry.agent.reconcile.PolicyReconciler;
import dev.ferry.agent.reconcile.Reconciler;
import dev.ferry.agent.testing.Privileged;
import dev.ferry.agent.testing.TempBpffs;
import dev.ferry.agent.translate.ServiceTranslator;
import dev.ferry.agent.translate.policy.Identity;
import dev.ferry.agent.translate.policy.PolicyEntry;
import dev.ferry.agent.translate.policy.PolicyCompiler;
import dev.ferry.agent.translate.policy.PolicyState;
import dev.ferry.bpf.BpfRingBuffer;
import dev.ferry.bpf.TestRunResult;
import dev.ferry.bpf.TypedMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import static dev.ferry.agent.datapath.Packet.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * NetworkPolicy in the pod datapath under BPF_PROG_TEST_RUN: the maps hold what the agent's
 * compiler and policy writer make of {@link #POLICIES}, packets go in leaving (from_pod) or
 * entering (to_pod) a pod, verdicts and exact packets come out. Each case uses its own client port.
 * <p>
 * SERVER is isolated for ingress: it admits pods labelled app=frontend on 8080/TCP and
 * 5353-5354/UDP, and 192.168.0.0/16 except 192.168.1.0/24 on 8080/TCP. CLIENT is isolated
 * both ways: out to app=backend on 8080/TCP and to anyone on 53/UDP; in, nothing at all.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PolicyTableTest {
    static final int OK = 0, SHOT = 2, REDIRECT = 7;
    static final String SERVER = "10.244.1.20", CLIENT = "10.244.1.10", FRONTEND = "10.244.2.30",
            BATCH = "10.244.2.31", NODE_IP = "192.168.254.11", HAIRPIN = "169.254.42.1", VIP = "10.96.0.10",
            BLOCK_IN = "192.168.2.5", EXCEPT = "192.168.1.5", OUTSIDE = "8.8.8.8";
    static final String SERVICES = """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: shop}
            spec: {clusterIP: 10.96.0.10, ports: [{port: 80, targetPort: 8080}]}
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: web-1, namespace: shop, labels: {kubernetes.io/service-name: web}}
            addressType: IPv4
            ports: [{port: 8080}]
            endpoints: [{addresses: [10.244.1.20]}]
            """;

    private TempBpffs bpffs;
    private Datapath datapath;
    private BpfRingBuffer events;
    private final List<DropEvent> received = new ArrayList<>();
    private Map<Integer, Identity> identities;
    private PolicyReconciler policy;

    private static Identity.Pods app(String app) {
        return new Identity.Pods("shop", new TreeMap<>(Map.of("app", app)),
                new TreeMap<>(Map.of("kubernetes.io/metadata.name", "shop")), new TreeSet<>());
    }

    static final String POLICIES = """
            apiVersion: v1
            kind: Namespace
            metadata: {name: shop}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: server, namespace: shop, labels: {app: backend}}
            spec: {nodeName: node1, containers: [{name: c}]}
            status: {podIP: 10.244.1.20}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: client, namespace: shop, labels: {app: client}}
            spec: {nodeName: node1, containers: [{name: c}]}
            status: {podIP: 10.244.1.10}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: frontend, namespace: shop, labels: {app: frontend}}
            spec: {nodeName: node2, containers: [{name: c}]}
            status: {podIP: 10.244.2.30}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: batch, namespace: shop, labels: {app: batch}}
            spec: {nodeName: node2, containers: [{name: c}]}
            status: {podIP: 10.244.2.31}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: server, namespace: shop}
            spec:
              podSelector: {matchLabels: {app: backend}}
              ingress:
              - from: [{podSelector: {matchLabels: {app: frontend}}}]
                ports: [{port: 8080}, {port: 5353, endPort: 5354, protocol: UDP}]
              - from: [{ipBlock: {cidr: 192.168.0.0/16, except: [192.168.1.0/24]}}]
                ports: [{port: 8080}]
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: client, namespace: shop}
            spec:
              podSelector: {matchLabels: {app: client}}
              policyTypes: [Ingress, Egress]
              egress:
              - to: [{podSelector: {matchLabels: {app: backend}}}]
                ports: [{port: 8080}]
              - ports: [{port: 53, protocol: UDP}]
            """;

    static PolicyState policy() {
        return PolicyCompiler.compile(Manifests.parse(POLICIES).cluster(), new LocalNode("node1",
                List.of(Ipv4.parse(NODE_IP)), List.of(Ipv4.parse(NODE_IP), Ipv4.parse(HAIRPIN))));
    }

    @BeforeAll
    void load() {
        Privileged.require();
        bpffs = new TempBpffs();
        datapath = Datapath.load(bpffs.root(), new Datapath.Settings(Ipv4.parse(HAIRPIN)));
        new Reconciler(datapath.serviceMaps()).apply(ServiceTranslator.translate(Manifests.parse(SERVICES).cluster(),
                new LocalNode("node1", List.of(Ipv4.parse(NODE_IP)))));
        policy = new PolicyReconciler(datapath.policyMaps());
        assertEquals(List.of(), policy.apply(policy()).errors());
        identities = policy.identities();
        events = BpfRingBuffer.open(datapath.map("events_v1"), r -> received.add(DropEvent.CODEC.decode(MemorySegment.ofArray(r))));
    }

    @AfterAll
    void unload() throws Exception {
        if (events != null) events.close();
        if (datapath != null) datapath.close();
        if (bpffs != null) bpffs.close();
    }

    /** One row: packets sent before (each leaving or entering as flagged), the packet under test, what comes out. */
    record Case(String description, List<Step> setup, Step in, int verdict, byte[] out) {
        @Override
        public String toString() {
            return description;
        }
    }

    record Step(boolean leaving, byte[] frame) {
    }

    static Step leaving(Packet p) {
        return new Step(true, p.bytes());
    }

    static Step entering(Packet p) {
        return new Step(false, p.bytes());
    }

    static Case row(String d, Step in, int verdict) {
        return new Case(d, List.of(), in, verdict, in.frame);
    }

    static Case row(String d, Step in, int verdict, Packet out) {
        return row(d, List.of(), in, verdict, out);
    }

    static Case row(String d, List<Step> setup, Step in, int verdict, Packet out) {
        return new Case(d, setup, in, verdict, out == null ? in.frame : out.bytes());
    }

    static Stream<Case> cases() {
        byte[] echo = HexFormat.of().parseHex("0800f7fe00010000");
        return Stream.of(
                row("an allowed pod reaches an isolated pod on its port", entering(Packet.tcp(FRONTEND, 41001, SERVER, 8080, SYN)), OK),
                row("a pod with other labels is dropped", entering(Packet.tcp(BATCH, 41002, SERVER, 8080, SYN)), SHOT),
                row("an allowed pod on another port is dropped", entering(Packet.tcp(FRONTEND, 41003, SERVER, 9090, SYN)), SHOT),
                row("a UDP port range admits its last port", entering(Packet.udp(FRONTEND, 41004, SERVER, 5354)), OK),
                row("a UDP port range ends where it ends", entering(Packet.udp(FRONTEND, 41005, SERVER, 5355)), SHOT),
                row("TCP does not pass on a UDP rule's port", entering(Packet.tcp(FRONTEND, 41006, SERVER, 5353, SYN)), SHOT),
                row("an address inside an ipBlock is admitted", entering(Packet.tcp(BLOCK_IN, 41007, SERVER, 8080, SYN)), OK),
                row("an address in the ipBlock's except hole is dropped", entering(Packet.tcp(EXCEPT, 41008, SERVER, 8080, SYN)), SHOT),
                row("an address outside every ipBlock is dropped", entering(Packet.tcp(OUTSIDE, 41009, SERVER, 8080, SYN)), SHOT),
                row("the node itself always reaches its pods, on any port", entering(Packet.tcp(NODE_IP, 41010, SERVER, 9999, SYN)), OK),
                row("a pod that is not isolated is left alone", entering(Packet.tcp(BATCH, 41011, BATCH, 80, SYN)), OK),
                row(", and so is what it sends", leaving(Packet.tcp(BATCH, 41012, SERVER, 80, SYN)), OK),
                row("the reply of an admitted flow leaves the isolated pod",
                        List.of(entering(Packet.tcp(FRONTEND, 41013, SERVER, 8080, SYN))),
                        leaving(Packet.tcp(SERVER, 8080, FRONTEND, 41013, SYN | ACK)), OK, null),
                row("a flow out of a pod isolated only for ingress is tracked, so its reply comes in",
                        List.of(leaving(Packet.tcp(SERVER, 41014, BATCH, 80, SYN))),
                        entering(Packet.tcp(BATCH, 80, SERVER, 41014, SYN | ACK)), OK, null),
                row("egress: a ClusterIP is judged by the backend it is DNATed to",
                        leaving(Packet.tcp(CLIENT, 41015, VIP, 80, SYN)), OK, Packet.tcp(CLIENT, 41015, SERVER, 8080, SYN)),
                row("... and its reply enters the pod that admits nothing, reverse-NATed",
                        List.of(leaving(Packet.tcp(CLIENT, 41016, VIP, 80, SYN))),
                        entering(Packet.tcp(SERVER, 8080, CLIENT, 41016, SYN | ACK)), OK,
                        Packet.tcp(VIP, 80, CLIENT, 41016, SYN | ACK)),
                row("egress to a pod the policy does not name is dropped", leaving(Packet.tcp(CLIENT, 41017, BATCH, 8080, SYN)), SHOT),
                row("egress to the right pod on another port is dropped", leaving(Packet.tcp(CLIENT, 41018, SERVER, 9090, SYN)), SHOT),
                row("egress to any peer on 53/UDP", leaving(Packet.udp(CLIENT, 41019, OUTSIDE, 53)), OK),
                row("the reply of a UDP query is admitted",
                        List.of(leaving(Packet.udp(CLIENT, 41020, OUTSIDE, 53))),
                        entering(Packet.udp(OUTSIDE, 53, CLIENT, 41020)), OK, null),
                row("a datagram from that server on another port is not a reply",
                        List.of(leaving(Packet.udp(CLIENT, 41021, OUTSIDE, 53))),
                        entering(Packet.udp(OUTSIDE, 54, CLIENT, 41021)), SHOT, null),
                row("a pod admitting nothing drops a new flow in", entering(Packet.tcp(FRONTEND, 41022, CLIENT, 80, SYN)), SHOT),
                row("ICMP echo is no TCP/UDP rule's traffic", leaving(Packet.raw(CLIENT, SERVER, ICMP, echo)), SHOT),
                row("ICMP echo into a pod isolated for ingress only by port rules is dropped",
                        entering(Packet.raw(FRONTEND, SERVER, ICMP, echo)), SHOT),
                row("the service rejects for an isolated pod still come back: RST for an unserved port",
                        leaving(Packet.tcp(CLIENT, 41023, VIP, 81, SYN)), REDIRECT,
                        Packet.tcp(VIP, 81, CLIENT, 41023, RST | ACK).seq(0, 1001).window(0).ipHeader(0, 0, true).swapMacs())
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void table(Case c) {
        for (Step s : c.setup) run(s);
        TestRunResult r = run(c.in);
        assertEquals(c.verdict, r.retval(), c.description + ": verdict");
        if (c.verdict != SHOT) {
            assertEquals(Packet.describe(c.out), Packet.describe(r.packetOut()), c.description + ": packet");
        }
    }

    @Test
    void theRejectOfAnIsolatedPodsFlowEntersItAsAReply() {
        TestRunResult reject = run(leaving(Packet.tcp(CLIENT, 41030, VIP, 81, SYN)));
        assertEquals(REDIRECT, reject.retval());
        // Through to_pod: the RST is the reply of the flow Ferry rejected, not a new flow.
        assertEquals(OK, run(new Step(false, Packet.tcp(VIP, 81, CLIENT, 41030, RST | ACK).bytes())).retval());
    }

    @Test
    void aPolicyDropIsCountedAndReportedWithTheRealDestinationAndThePeersIdentity() {
        events.poll(Duration.ZERO); // what earlier tests dropped
        received.clear();
        var before = datapath.counters();
        assertEquals(SHOT, run(entering(Packet.tcp(BATCH, 41040, SERVER, 8080, SYN))).retval());
        assertEquals(SHOT, run(leaving(Packet.tcp(CLIENT, 41041, BATCH, 8080, SYN))).retval());
        var after = datapath.counters();
        assertEquals(1, after.get(Reason.DROP_POLICY_INGRESS).packets() - before.get(Reason.DROP_POLICY_INGRESS).packets());
        assertEquals(1, after.get(Reason.DROP_POLICY_EGRESS).packets() - before.get(Reason.DROP_POLICY_EGRESS).packets());

        events.poll(Duration.ofMillis(100));
        assertEquals(2, received.size(), received.toString());
        DropEvent in = received.get(0), out = received.get(1);
        assertEquals(Reason.DROP_POLICY_INGRESS, in.reason());
        assertEquals(Ipv4.parse(BATCH), in.saddr());
        assertEquals(Ipv4.parse(SERVER), in.daddr());
        assertEquals(8080, in.dport());
        assertEquals(app("batch"), identities.get(in.identity()));
        assertEquals(Reason.DROP_POLICY_EGRESS, out.reason());
        assertEquals(41041, out.sport());
        assertEquals(app("batch"), identities.get(out.identity()));
    }

    @Test
    void aRemovedRuleStopsNewConnectionsOnlyEvenOnTheTupleOfAClosingOne() {
        run(entering(Packet.tcp(FRONTEND, 41050, SERVER, 8080, SYN)));
        run(entering(Packet.tcp(FRONTEND, 41050, SERVER, 8080, FIN | ACK)));
        run(entering(Packet.tcp(FRONTEND, 41051, SERVER, 8080, SYN)));
        PolicyState without = policy();
        TreeSet<PolicyEntry> entries = new TreeSet<>(without.entries());
        entries.removeIf(e -> e.peer().equals(app("frontend")) && e.protocol() == Protocol.TCP);
        try {
            assertEquals(List.of(), policy.apply(new PolicyState(without.ipcache(), without.endpoints(), entries,
                    without.podNames())).errors());
            assertEquals(SHOT, run(entering(Packet.tcp(FRONTEND, 41050, SERVER, 8080, SYN))).retval(),
                    "a new connection reusing a closing flow's tuple is judged again");
            assertEquals(OK, run(entering(Packet.tcp(FRONTEND, 41051, SERVER, 8080, ACK))).retval(),
                    "an established connection goes on");
            assertEquals(SHOT, run(entering(Packet.tcp(FRONTEND, 41052, SERVER, 8080, SYN))).retval());
        } finally {
            assertEquals(List.of(), policy.apply(policy()).errors());
        }
    }

    @Test
    void aFlowsPolicyEntryMovesItsDeadlineOnlyPastTheGranularityButClosesAtOnce() {
        TypedMap<PolicyCtKey, PolicyCtValue> flows = datapath.map("policy_ct_v1").typed(PolicyCtKey.CODEC, PolicyCtValue.CODEC);
        PolicyCtKey key = new PolicyCtKey(Ipv4.parse(FRONTEND), Ipv4.parse(SERVER), 41060, 8080, TCP, false);
        assertEquals(OK, run(entering(Packet.tcp(FRONTEND, 41060, SERVER, 8080, SYN))).retval());
        PolicyCtValue first = flows.get(key).orElseThrow();

        // As if 0.7 s had passed since the entry was written (CT_REFRESH_NS is 1 s): left alone.
        PolicyCtValue within = new PolicyCtValue(first.expiresNs() - Duration.ofMillis(700).toNanos(), false);
        flows.put(key, within);
        assertEquals(OK, run(entering(Packet.tcp(FRONTEND, 41060, SERVER, 8080, ACK))).retval());
        assertEquals(within, flows.get(key).orElseThrow(), "within the granularity");

        // As if 1.3 s had passed: moved on.
        flows.put(key, new PolicyCtValue(first.expiresNs() - Duration.ofMillis(1300).toNanos(), false));
        assertEquals(OK, run(entering(Packet.tcp(FRONTEND, 41060, SERVER, 8080, ACK))).retval());
        assertTrue(flows.get(key).orElseThrow().expiresNs() >= first.expiresNs(), "beyond the granularity");

        // A FIN right after: closing at once, the closing timeout (10 s) from now.
        long before = System.nanoTime();
        assertEquals(OK, run(entering(Packet.tcp(FRONTEND, 41060, SERVER, 8080, FIN | ACK))).retval());
        PolicyCtValue closing = flows.get(key).orElseThrow();
        assertTrue(closing.closing(), "closing: " + closing);
        assertTrue(closing.expiresNs() < before + Duration.ofSeconds(11).toNanos(), "closing deadline: " + closing);
    }

    private TestRunResult run(Step s) {
        return (s.leaving ? datapath.fromPod() : datapath.toPod()).testRun(s.frame, 1);
    }
}
