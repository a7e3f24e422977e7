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
    private final InMemoryMapTable<Integer, Integer> epoch = new InMemoryMapTable<>("ct_epoch", 1, j -> { });
    private final Conntrack conntrack = new Conntrack(table, epoch);

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
    void everyDeletionMovesTheEpochOnSoXdpsFlowCacheForgetsTheFlows() throws Exception {
        Inet4Address client = Ipv4.parse("10.244.1.10"), vip = Ipv4.parse("10.96.0.10"), backend = Ipv4.parse("10.244.1.11");
        assertEquals(0, conntrack.endFlowsOf(Set.of(7)));
        assertEquals(Optional.empty(), epoch.get(0), "nothing deleted, nothing to forget");
        table.put(new CtKey(client, vip, 40000, 80, Protocol.TCP, false), value(backend, 8080, 7));
        conntrack.endFlowsOf(Set.of(7));
        assertEquals(Optional.of(1), epoch.get(0));
        table.put(new CtKey(client, vip, 40001, 80, Protocol.TCP, false), value(backend, 8080, 7));
        conntrack.endFlowsOf(Set.of(7));
        assertEquals(Optional.of(2), epoch.get(0));
    }

    private static CtValue value(Inet4Address nat, int port, int svcId) throws Exception {
        return new CtValue(nat, port, 0, svcId, 1, Ipv4.parse("0.0.0.0"), 0, 0);
    }
}
