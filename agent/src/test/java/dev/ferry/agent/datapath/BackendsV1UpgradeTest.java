package dev.ferry.agent.datapath;

import dev.ferry.agent.cli.Uninstall;
import dev.ferry.agent.datapath.abi.CtKey;
import dev.ferry.agent.datapath.abi.CtValue;
import dev.ferry.agent.model.Ipv4;
import dev.ferry.agent.model.Protocol;
import dev.ferry.agent.reconcile.Reconciler;
import dev.ferry.agent.testing.Privileged;
import dev.ferry.agent.testing.TempBpffs;
import dev.ferry.agent.translate.Backend;
import dev.ferry.bpf.TestRunResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static dev.ferry.agent.datapath.BackendSlotsTest.*;
import static dev.ferry.agent.datapath.Packet.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A node that ran a Ferry with backends_v1 (a hash map, id -> struct backend without its id)
 * gets this one: the datapath carries its backends into backends_v2 under the same ids as it
 * loads, established flows keep their backends, the reconciler restores them as its own, and
 * backends_v1's pin goes once the new programs are in place.
 */
class BackendsV1UpgradeTest {
    @RegisterExtension
    final TempBpffs bpffs = new TempBpffs();

    @BeforeEach
    void privileged() {
        Privileged.require();
    }

    private Datapath load() {
        return Datapath.load(bpffs.root(), new Datapath.Settings(Ipv4.parse("169.254.42.1")));
    }

    private Path v1Pin() {
        return bpffs.root().resolve("backends_v1");
    }

    private void pinV1(Map<Integer, Backend> backends) throws Exception {
        OlderFerry.pinBackendsV1(bpffs.root(), backends);
    }

    @Test
    void establishedFlowsKeepTheirBackendsAndV1IsUnpinnedOnceReplaced() throws Exception {
        // The older node: web's flow to B1 established; its backends in backends_v1, none in backends_v2.
        int port = 40000;
        CtValue flow;
        Map<Integer, Backend> backends;
        try (Datapath old = load()) {
            new Reconciler(old.serviceMaps()).apply(web(B1, B2));
            while (true) { // the first SYN that lands on B1
                send(old, Packet.tcp(CLIENT, port, VIP, 80, SYN));
                flow = forwardEntry(old, port);
                if (flow.natAddress().equals(Ipv4.parse(B1))) break;
                port++;
            }
        }
        backends = OlderFerry.olderNode(bpffs.root());
        assertEquals(2, backends.size());

        try (Datapath upgraded = load()) {
            assertEquals(backends, upgraded.serviceMaps().readBackends(), "carried over under the same ids");
            assertFalse(new Reconciler(upgraded.serviceMaps()).apply(web(B1, B2)).changedAnything(),
                    "the reconciler restores them as its own: nothing to rewrite");
            Packet ack = Packet.tcp(CLIENT, port, VIP, 80, ACK);
            assertEquals(Packet.describe(ack.dst(B1, 8080).bytes()), Packet.describe(send(upgraded, ack)));
            assertEquals(flow.backendId(), forwardEntry(upgraded, port).backendId(), "the same flow, not a new one");
            assertTrue(Files.exists(v1Pin()), "pinned until the new programs replaced the old ones");
            upgraded.unpinCarriedOverMaps();
            assertFalse(Files.exists(v1Pin()));
        }
        try (Datapath restarted = load()) {
            assertEquals(backends, restarted.serviceMaps().readBackends(), "a restart after the upgrade");
        }
    }

    @Test
    void aStartThatStoppedShortOfTheUnpinFindsThemCarriedAlready() throws Exception {
        Map<Integer, Backend> backends = Map.of(7, new Backend(Ipv4.parse(B1), 8080), 9, new Backend(Ipv4.parse(B2), 8080));
        pinV1(backends);
        load().close();
        try (Datapath again = load()) {
            assertEquals(backends, again.serviceMaps().readBackends());
            assertTrue(Files.exists(v1Pin()));
        }
    }

    @Test
    void ofTwoOldIdsSharingASlotTheOlderKeepsIt() throws Exception {
        Backend older = new Backend(Ipv4.parse(B1), 8080), newer = new Backend(Ipv4.parse(B2), 8080, true);
        Backend other = new Backend(Ipv4.parse(NEWCOMER), 8080, true);
        pinV1(Map.of(3, older, 3 + 262144, newer, 5, other));
        try (Datapath upgraded = load()) {
            assertEquals(Map.of(3, older, 5, other), upgraded.serviceMaps().readBackends());
        }
    }

    @Test
    void uninstallRemovesBothBackendMaps() throws Exception {
        pinV1(Map.of(7, new Backend(Ipv4.parse(B1), 8080)));
        load().close();
        assertTrue(Files.exists(bpffs.root().resolve("backends_v2")));
        Uninstall.run(bpffs.root());
        assertFalse(Files.exists(v1Pin()));
        assertFalse(Files.exists(bpffs.root().resolve("backends_v2")));
    }

    /** The frame from_pod lets through (TC_ACT_OK). */
    private static byte[] send(Datapath datapath, Packet p) {
        TestRunResult r = datapath.fromPod().testRun(p.bytes(), 1);
        assertEquals(0, r.retval());
        return r.packetOut();
    }

    private static CtValue forwardEntry(Datapath datapath, int port) {
        CtKey key = new CtKey(Ipv4.parse(CLIENT), Ipv4.parse(VIP), port, 80, Protocol.TCP, false);
        return datapath.map("ct_v1").typed(CtKey.CODEC, CtValue.CODEC).get(key).orElseThrow();
    }
}
