package dev.ferry.agent.datapath;

import dev.ferry.agent.datapath.abi.CtKey;
import dev.ferry.agent.datapath.abi.CtValue;
import dev.ferry.agent.k8s.Manifests;
import dev.ferry.agent.model.Ipv4;
import dev.ferry.agent.model.LocalNode;
import dev.ferry.agent.model.Protocol;
import dev.ferry.agent.reconcile.Reconciler;
import dev.ferry.agent.testing.Privileged;
import dev.ferry.agent.testing.TempBpffs;
import dev.ferry.agent.translate.ServiceTranslator;
import dev.ferry.bpf.TestRunResult;
import dev.ferry.bpf.TypedMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static dev.ferry.agent.datapath.Packet.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * How packets refresh both conntrack entries of a service flow (bpf/src/conntrack.h,
 * CT_REFRESH_NS = 1 s), through from_pod and to_pod under BPF_PROG_TEST_RUN. Each row sets a
 * flow up with its first packet, ages both entries as if {@code since} had passed since their
 * last refresh (their deadlines moved back by that much), sends one more packet, and says what
 * that packet must have done to both entries. The packet's own frame is checked too, so an
 * entry left alone is one the packet hit, not one it missed. One more test checks the clock the
 * deadlines are on.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConntrackRefreshTest {
    static final int OK = 0;
    static final String CLIENT = "10.244.1.10", VIP = "10.96.0.10", BACKEND = "10.244.1.11";
    /** ct_closing_timeout_ns's default. */
    static final Duration CLOSING_TIMEOUT = Duration.ofSeconds(10);
    /** The datapath's clock (bpf/src/clock.h) is System.nanoTime()'s as of the last tick: up to a tick behind. */
    static final long TICK_NS = Duration.ofMillis(20).toNanos();
    /** Well inside and well beyond CT_REFRESH_NS, with room for a slow test machine. */
    static final Duration WITHIN = Duration.ofMillis(700), BEYOND = Duration.ofMillis(1300);
    /** ct_udp_timeout_ns's default. */
    static final Duration UDP_TIMEOUT = Duration.ofSeconds(60);

    static final String SERVICES = """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: t}
            spec: {clusterIP: 10.96.0.10, ports: [{name: http, port: 80, targetPort: 8080}, {name: dns, port: 53, protocol: UDP, targetPort: 5353}]}
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: web-1, namespace: t, labels: {kubernetes.io/service-name: web}}
            addressType: IPv4
            ports: [{name: http, port: 8080}, {name: dns, port: 5353, protocol: UDP}]
            endpoints: [{addresses: [10.244.1.11]}]
            """;

    private TempBpffs bpffs;
    private Datapath datapath;
    private TypedMap<CtKey, CtValue> conntrack;

    @BeforeAll
    void load() {
        Privileged.require();
        bpffs = new TempBpffs();
        datapath = Datapath.load(bpffs.root(), new Datapath.Settings(Ipv4.parse("169.254.42.1")));
        new Reconciler(datapath.serviceMaps()).apply(ServiceTranslator.translate(Manifests.parse(SERVICES).cluster(),
                new LocalNode("node1", List.of(Ipv4.parse("192.168.254.11")))));
        conntrack = datapath.map("ct_v1").typed(CtKey.CODEC, CtValue.CODEC);
    }

    @AfterAll
    void unload() throws Exception {
        if (datapath != null) datapath.close();
        if (bpffs != null) bpffs.close();
    }

    /** What the packet after the pause must have done to both entries. */
    enum Outcome {
        /** Neither deadline nor flags moved. */
        KEPT,
        /** Both deadlines moved on, at least to where they were before the pause. */
        REFRESHED,
        /** Both entries CLOSING, both deadlines the closing timeout from the packet. */
        CLOSING
    }

    /**
     * One flow from CLIENT's {@code port}: its first packet (from the pod), the pause, the next
     * packet (from the pod, or the backend's reply entering the client pod) and the frame that
     * packet must come out as.
     */
    record Row(String description, int port, boolean udp, int firstFlags, Duration since, boolean reply, int flags,
               Outcome outcome) {
        @Override
        public String toString() {
            return description;
        }

        Packet first() {
            return udp ? Packet.udp(CLIENT, port, VIP, 53) : Packet.tcp(CLIENT, port, VIP, 80, firstFlags);
        }

        Packet next() {
            if (udp) return reply ? Packet.udp(BACKEND, 5353, CLIENT, port) : Packet.udp(CLIENT, port, VIP, 53);
            return reply ? Packet.tcp(BACKEND, 8080, CLIENT, port, flags) : Packet.tcp(CLIENT, port, VIP, 80, flags);
        }

        /** next() as it leaves the program: DNATed to the backend, or a reply from the VIP again. */
        Packet expected() {
            if (udp) return reply ? Packet.udp(VIP, 53, CLIENT, port) : next().dst(BACKEND, 5353);
            return reply ? Packet.tcp(VIP, 80, CLIENT, port, flags) : next().dst(BACKEND, 8080);
        }

        CtKey forwardKey() {
            return new CtKey(Ipv4.parse(CLIENT), Ipv4.parse(VIP), port, udp ? 53 : 80, protocol(), false);
        }

        CtKey replyKey() {
            return new CtKey(Ipv4.parse(BACKEND), Ipv4.parse(CLIENT), udp ? 5353 : 8080, port, protocol(), true);
        }

        private Protocol protocol() {
            return udp ? Protocol.UDP : Protocol.TCP;
        }
    }

    static Row tcp(String d, int port, Duration since, boolean reply, int flags, Outcome outcome) {
        return new Row(d, port, false, SYN, since, reply, flags, outcome);
    }

    static Row udp(String d, int port, Duration since, boolean reply, Outcome outcome) {
        return new Row(d, port, true, 0, since, reply, 0, outcome);
    }

    static Stream<Row> rows() {
        return Stream.of(
                tcp("an ACK right after the SYN moves neither deadline", 45001, Duration.ZERO, false, ACK, Outcome.KEPT),
                tcp("an ACK within the granularity of the last refresh moves neither deadline", 45002, WITHIN, false, ACK,
                        Outcome.KEPT),
                tcp("an ACK beyond the granularity moves both deadlines", 45003, BEYOND, false, ACK, Outcome.REFRESHED),
                tcp("a reply within the granularity moves neither deadline", 45004, WITHIN, true, SYN | ACK, Outcome.KEPT),
                tcp("a reply beyond the granularity moves both deadlines", 45005, BEYOND, true, SYN | ACK,
                        Outcome.REFRESHED),
                tcp("a FIN right after the SYN still marks both entries closing", 45006, Duration.ZERO, false, FIN | ACK,
                        Outcome.CLOSING),
                tcp("a FIN within the granularity still marks both entries closing", 45007, WITHIN, false, FIN | ACK,
                        Outcome.CLOSING),
                tcp("the backend's RST within the granularity still marks both entries closing", 45008, WITHIN, true,
                        RST | ACK, Outcome.CLOSING),
                new Row("an ACK within the granularity of a FIN keeps the closing entries as they are", 45009, false,
                        FIN | ACK, WITHIN, false, ACK, Outcome.KEPT),
                udp("a datagram within the granularity moves neither deadline", 45010, WITHIN, false, Outcome.KEPT),
                udp("a datagram beyond the granularity moves both deadlines", 45011, BEYOND, false, Outcome.REFRESHED),
                udp("a reply datagram beyond the granularity moves both deadlines", 45012, BEYOND, true, Outcome.REFRESHED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void table(Row row) {
        if (row.firstFlags() == (FIN | ACK)) {
            // A closing flow: set up by its SYN, then closed by the FIN.
            assertEquals(OK, datapath.fromPod().testRun(Packet.tcp(CLIENT, row.port(), VIP, 80, SYN).bytes(), 1).retval());
        }
        assertEquals(OK, datapath.fromPod().testRun(row.first().bytes(), 1).retval(), "first packet");
        CtValue forward = entry(row.forwardKey()), reply = entry(row.replyKey());
        CtValue agedForward = aged(row.forwardKey(), forward, row.since()), agedReply = aged(row.replyKey(), reply, row.since());

        long before = System.nanoTime(); // CLOCK_MONOTONIC, the datapath's clock too
        TestRunResult r = (row.reply() ? datapath.toPod() : datapath.fromPod()).testRun(row.next().bytes(), 1);
        long after = System.nanoTime();
        assertEquals(OK, r.retval(), "verdict");
        assertEquals(Packet.describe(row.expected().bytes()), Packet.describe(r.packetOut()), "the flow's own translation");

        CtValue nowForward = entry(row.forwardKey()), nowReply = entry(row.replyKey());
        switch (row.outcome()) {
            case KEPT -> {
                assertEquals(agedForward, nowForward, "forward entry");
                assertEquals(agedReply, nowReply, "reply entry");
            }
            case REFRESHED -> {
                assertTrue(nowForward.expiresNs() >= forward.expiresNs(), "forward deadline " + nowForward.expiresNs()
                        + " not moved on from " + agedForward.expiresNs() + " past " + forward.expiresNs());
                assertTrue(nowReply.expiresNs() >= reply.expiresNs(), "reply deadline " + nowReply.expiresNs()
                        + " not moved on from " + agedReply.expiresNs() + " past " + reply.expiresNs());
                assertEquals(forward.flags(), nowForward.flags(), "forward flags");
                assertEquals(reply.flags(), nowReply.flags(), "reply flags");
            }
            case CLOSING -> {
                for (CtValue v : List.of(nowForward, nowReply)) {
                    assertTrue((v.flags() & CtValue.F_CLOSING) != 0, "not closing: " + v);
                    assertTrue(v.expiresNs() >= before - TICK_NS + CLOSING_TIMEOUT.toNanos()
                            && v.expiresNs() <= after + CLOSING_TIMEOUT.toNanos(), "closing deadline of " + v);
                }
            }
        }
    }

    /**
     * The clock itself, as probed (DatapathClock): a new flow's deadline is the UDP timeout from
     * CLOCK_MONOTONIC at the start of the tick its first packet came in. Flows a millisecond or
     * so apart, so that some come just after a tick began and some just before the next; one
     * tick (clock_tick_ns) plus a late tick interrupt's millisecond is as late as it may read.
     */
    @Test
    void newFlowsGetDeadlinesOnCLOCK_MONOTONICAsOfTheStartOfTheirTick() throws InterruptedException {
        long tickNs = datapath.clock().tickNs(), lateTickNs = Duration.ofMillis(1).toNanos();
        long tickStartNs = Duration.ofMillis(1).toNanos() / 2; // how close to the packet a tick's start reads
        assertNotEquals(0, tickNs, "the probe fell back to bpf_ktime_get_coarse_ns()");
        long closestToThePacket = Long.MIN_VALUE;
        for (int port = 46000; port < 46200; port++) {
            long before = System.nanoTime();
            assertEquals(OK, datapath.fromPod().testRun(Packet.udp(CLIENT, port, VIP, 53).bytes(), 1).retval());
            long after = System.nanoTime();
            CtKey key = new CtKey(Ipv4.parse(CLIENT), Ipv4.parse(VIP), port, 53, Protocol.UDP, false);
            long now = entry(key).expiresNs() - UDP_TIMEOUT.toNanos(); // datapath_now() at the packet
            assertTrue(now <= after + tickStartNs, "flow " + port + ": the clock read " + (now - after)
                    + " ns after the packet, ahead of CLOCK_MONOTONIC");
            assertTrue(now >= before - tickNs - lateTickNs, "flow " + port + ": the clock read " + (before - now)
                    + " ns before the packet, more than a tick (" + tickNs + " ns)");
            closestToThePacket = Math.max(closestToThePacket, now - before);
            Thread.sleep(1);
        }
        assertTrue(closestToThePacket >= -tickStartNs, "the clock read at least " + -closestToThePacket
                + " ns before every packet: its offset is off by part of a tick");
    }

    private CtValue entry(CtKey key) {
        return conntrack.get(key).orElseThrow(() -> new AssertionError("no conntrack entry " + key));
    }

    /** The entry with its deadline {@code since} earlier: as if its last refresh were that long ago. */
    private CtValue aged(CtKey key, CtValue v, Duration since) {
        CtValue older = new CtValue(v.natAddress(), v.natPort(), v.flags(), v.svcId(), v.backendId(), v.peerAddress(),
                v.peerPort(), v.expiresNs() - since.toNanos());
        conntrack.put(key, older);
        return older;
    }
}
