package dev.ferry.agent.datapath;

import dev.ferry.agent.model.Ipv4;
import dev.ferry.agent.testing.Privileged;
import dev.ferry.agent.testing.TempBpffs;
import dev.ferry.agent.translate.Maglev;
import dev.ferry.bpf.PossibleCpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Maps of derived state sized at load (the Maglev tables, the XDP flow cache): a pinned one of
 * another shape is dropped and refilled, never refused, unlike the service maps (LbMapMaxTest).
 */
class DerivedMapSizesTest {
    @RegisterExtension
    final TempBpffs bpffs = new TempBpffs();

    private Datapath load(int maglevTableSize) {
        Privileged.require();
        return Datapath.load(bpffs.root(), new Datapath.Settings(Ipv4.parse("169.254.42.1"), maglevTableSize));
    }

    @Test
    void theFlowCacheGivesEveryCpuAnEqualShareOfAsManySlotsAsConntrackHasEntries() {
        assertEquals(262144, Datapath.xdpFlowSlotsPerCpu(1));
        assertEquals(131072, Datapath.xdpFlowSlotsPerCpu(2));
        assertEquals(65536, Datapath.xdpFlowSlotsPerCpu(3), "a power of two, rounded down");
        assertEquals(4096, Datapath.xdpFlowSlotsPerCpu(64));
        assertEquals(1024, Datapath.xdpFlowSlotsPerCpu(4096), "never fewer than 1024");
        try (Datapath datapath = load(Maglev.DEFAULT_SIZE)) {
            assertEquals(Datapath.xdpFlowEntries(PossibleCpus.count()), datapath.map("xdp_flows_v2").maxEntries());
        }
    }

    @Test
    void theOlderPerCpuFlowCacheIsUnpinned() throws Exception {
        Privileged.require();
        OlderFerry.pinXdpFlowsV1(bpffs.root());
        try (Datapath datapath = load(Maglev.DEFAULT_SIZE)) {
            assertFalse(Files.exists(bpffs.root().resolve("xdp_flows_v1")), "xdp_flows_v1 unpinned");
            assertTrue(Files.exists(bpffs.root().resolve("xdp_flows_v2")));
        }
    }

    @Test
    void aRestartWithAnotherMaglevTableSizeRebuildsTheTables() {
        int id;
        try (Datapath first = load(Maglev.DEFAULT_SIZE)) {
            id = first.map(Datapath.MAGLEV_MAP).id();
        }
        try (Datapath second = load(251)) {
            assertEquals(251 * Integer.BYTES, second.map(Datapath.MAGLEV_MAP).valueSize());
            assertNotEquals(id, second.map(Datapath.MAGLEV_MAP).id(), "a new map");
        }
        try (Datapath third = load(251)) {
            assertEquals(251 * Integer.BYTES, third.map(Datapath.MAGLEV_MAP).valueSize());
        }
    }
}
