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
import dev.ferry.agent.translate.Backend;
import dev.ferry.agent.translate.DesiredState;
import dev.ferry.agent.translate.ServiceTranslator;
import dev.ferry.bpf.TestRunResult;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

import static dev.ferry.agent.datapath.Packet.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * An established flow when its backend's slot of backends_v2 changes (bpf/src/backends.h),
 * through from_pod under BPF_PROG_TEST_RUN. Each row loads a datapath of its own, programs web
 * with one backend, B1, and sends a SYN; changes the maps as it says, through the production
 * reconciler and ServiceMaps; then sends the flow's next packet and says where it must go. A
 * flow that ended starts again as a new flow to one of web's backends at that time.
 */
class BackendSlotsTest {
    static final int OK = 0;
    static final String CLIENT = "10.244.1.10", VIP = "10.96.0.10", B1 = "10.244.1.11", B2 = "10.244.1.12",
            NEWCOMER = "10.244.1.13";
    static final LocalNode NODE = new LocalNode("node1", List.of(Ipv4.parse("192.168.254.11")));

    /** web with the given endpoints, each on 8080. */
    static DesiredState web(String... endpoints) {
        String addresses = String.join(", ", Stream.of(endpoints).map(a -> "{addresses: [" + a + "]}").toList());
        return ServiceTranslator.translate(Manifests.parse("""
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: t}
                spec: {clusterIP: 10.96.0.10, ports: [{port: 80, targetPort: 8080}]}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: web-1, namespace: t, labels: {kubernetes.io/service-name: web}}
                addressType: IPv4
                ports: [{port: 8080}]
                endpoints: [%s]
                """.formatted(addresses)).cluster(), NODE);
    }

    /** One row: what happens to the maps once the flow to B1 (whose id is given) is set up, and where its next packet goes. */
    record Case(String description, BiConsumer<Fixture, Integer> change, String goesTo) {
        @Override
        public String toString() {
            return description;
        }
    }

    record Fixture(Reconciler reconciler, ServiceMaps maps) {
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("nothing changes: the flow keeps its backend", (f, id) -> { }, B1),
                new Case("B2 joins web: the flow keeps B1", (f, id) -> f.reconciler.apply(web(B1, B2)), B1),
                new Case("B1 is replaced by B2, its slot emptied: the flow ends and starts again to B2",
                        (f, id) -> f.reconciler.apply(web(B2)), B2),
                new Case("B1's slot holds a newer id (ids went once round the slots): the flow ends, it never follows "
                        + "the newcomer nor stays on B1", (f, id) -> {
                            f.reconciler.apply(web(B2));
                            f.maps.putBackends(Map.of(id + f.maps.backendSlots(), new Backend(Ipv4.parse(NEWCOMER), 8080)));
                        }, B2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void table(Case c) throws Exception {
        Privileged.require();
        try (TempBpffs bpffs = new TempBpffs();
             Datapath datapath = Datapath.load(bpffs.root(), new Datapath.Settings(Ipv4.parse("169.254.42.1")))) {
            Reconciler reconciler = new Reconciler(datapath.serviceMaps());
            reconciler.apply(web(B1));
            Packet syn = Packet.tcp(CLIENT, 40000, VIP, 80, SYN);
            assertEquals(Packet.describe(syn.dst(B1, 8080).bytes()), Packet.describe(run(datapath, syn).packetOut()));
            int b1 = forwardEntry(datapath).backendId();

            c.change.accept(new Fixture(reconciler, datapath.serviceMaps()), b1);
            Packet ack = Packet.tcp(CLIENT, 40000, VIP, 80, ACK);
            TestRunResult r = run(datapath, ack);
            assertEquals(OK, r.retval(), c.description + ": verdict");
            assertEquals(Packet.describe(ack.dst(c.goesTo, 8080).bytes()), Packet.describe(r.packetOut()), c.description);
            assertEquals(c.goesTo, forwardEntry(datapath).natAddress().getHostAddress(), "the flow's conntrack entry");
        }
    }

    private static TestRunResult run(Datapath datapath, Packet p) {
        return datapath.fromPod().testRun(p.bytes(), 1);
    }

    private static CtValue forwardEntry(Datapath datapath) {
        CtKey key = new CtKey(Ipv4.parse(CLIENT), Ipv4.parse(VIP), 40000, 80, Protocol.TCP, false);
        return datapath.map("ct_v1").typed(CtKey.CODEC, CtValue.CODEC).get(key).orElseThrow();
    }
}
