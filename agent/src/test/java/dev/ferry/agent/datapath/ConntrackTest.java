package dev.ferry.agent.datapath;

import dev.ferry.agent.model.Ipv4;
import dev.ferry.agent.datapath.abi.CtKey;
import dev.ferry.agent.datapath.abi.CtValue;
import dev.ferry.agent.model.Protocol;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ConntrackTest {
    @Test
    void endingAFrontendsFlowsRemovesBothDirectionsAndNothingElse() throws Exception {
        InMemoryMapTable<CtKey, CtValue> table = new InMemoryMapTable<>("ct", 100, j -> { });
        Inet4Address client = Ipv4.parse("10.244.1.10"), vip = Ipv4.parse("10.96.0.10"), backend = Ipv4.parse("10.244.1.11");
        table.put(new CtKey(client, vip, 40000, 80, Protocol.TCP, false), value(backend, 8080, 7));
        table.put(new CtKey(backend, client, 8080, 40000, Protocol.TCP, true), value(vip, 80, 7));
        table.put(new CtKey(client, vip, 40001, 443, Protocol.TCP, false), value(backend, 8443, 8));
        assertEquals(2, new Conntrack(table).endFlowsOf(Set.of(7)));
        assertEquals(1, table.entries().size());
        assertEquals(8, table.entries().values().iterator().next().svcId());
    }

    private static CtValue value(Inet4Address nat, int port, int svcId) throws Exception {
        return new CtValue(nat, port, 0, svcId, 1, Ipv4.parse("0.0.0.0"), 0, 0);
    }
}
