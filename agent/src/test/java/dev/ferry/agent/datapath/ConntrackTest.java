package dev.ferry.agent.datapath;

import dev.ferry.agent.model.Ipv4;
import dev.ferry.agent.datapath.abi.CtKey;
import dev.ferry.agent.datapath.abi.CtValue;
import dev.ferry.agent.model.Protocol;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ConntrackTest {
    private final InMemoryMapTable<CtKey, CtValue> table = new InMemoryMapTable<>("ct", 100, j -> { });
    private final InMemoryMapTable<Integer, Integer> versions = new InMemoryMapTable<>("flow_versions", Conntrack.VERSION_SLOTS, j -> { });
    private final Conntrack conntrack = new Conntrack(table, versions);

    @Test
    void endingAFrontendsFlowsRemovesBothDirectionsAndNothingElse() throws Exception {
        Inet4Address client = Ipv4.parse("10.244.1.10"), vip = Ipv4.parse("10.96.0.10"), backend = Ipv4.parse("10.244.1.11");
        table.put(new CtKey(client, vip, 40000, 80, Protocol.TCP, false), value(backend, 8080, 7));
        table.put(new CtKey(backend, client, 8080, 40000, Protocol.TCP, true), value(vip, 80, 7));
        table.put(new CtKey(client, vip, 40001, 443, Protocol.TCP, false), value(backend, 8443, 8));
        assertEquals(2, conntrack.endFlowsOf(Set.of(7)));
        assertEquals(1, table.entries().size());
        assertEquals(8, table.entries().values().iterator().next().svcId());
    }

    @Test
    void everyDeletedKeysVersionMovesOnSoXdpsFlowCacheForgetsTheFlow() throws Exception {
        Inet4Address client = Ipv4.parse("10.244.1.10"), vip = Ipv4.parse("10.96.0.10"), backend = Ipv4.parse("10.244.1.11");
        CtKey forward = new CtKey(client, vip, 40000, 80, Protocol.TCP, false);
        CtKey reply = new CtKey(backend, client, 8080, 40000, Protocol.TCP, true);
        CtKey kept = new CtKey(client, vip, 40001, 443, Protocol.TCP, false);
        assertEquals(0, conntrack.endFlowsOf(Set.of(7)));
        assertEquals(0, versions.size(), "nothing deleted, nothing to forget");
        table.put(forward, value(backend, 8080, 7));
        table.put(reply, value(vip, 80, 7));
        table.put(kept, value(backend, 8443, 8));
        conntrack.endFlowsOf(Set.of(7));
        assertEquals(Optional.of(1), versions.get(Conntrack.versionSlot(forward)));
        assertEquals(Optional.of(1), versions.get(Conntrack.versionSlot(reply)));
        assertEquals(Optional.empty(), versions.get(Conntrack.versionSlot(kept)), "a kept flow's cache stays");
        table.put(forward, value(backend, 8080, 7));
        conntrack.endFlowsOf(Set.of(7));
        assertEquals(Optional.of(2), versions.get(Conntrack.versionSlot(forward)));
    }

    private static CtValue value(Inet4Address nat, int port, int svcId) throws Exception {
        return new CtValue(nat, port, 0, svcId, 1, Ipv4.parse("0.0.0.0"), 0, 0);
    }
}
