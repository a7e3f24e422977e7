package dev.ferry.agent.datapath;

import dev.ferry.agent.model.Ipv4;
import dev.ferry.agent.testing.Privileged;
import dev.ferry.agent.testing.TempBpffs;
import dev.ferry.agent.translate.Maglev;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.*;

/** --lb-map-max sizes services_v2 and vips_v1 at load, and a restart with another size is refused with advice. */
class LbMapMaxTest {
    @RegisterExtension
    final TempBpffs bpffs = new TempBpffs();

    @BeforeEach
    void privileged() {
        Privileged.require();
    }

    private Datapath load(int lbMapMax) {
        return Datapath.load(bpffs.root(), new Datapath.Settings(Ipv4.parse("169.254.42.1"), Maglev.DEFAULT_SIZE, lbMapMax));
    }

    @Test
    void byDefaultTheServiceMapsHold65536Entries() {
        try (Datapath datapath = Datapath.load(bpffs.root(), new Datapath.Settings(Ipv4.parse("169.254.42.1")))) {
            assertEquals(65536, datapath.map("services_v2").maxEntries());
            assertEquals(65536, datapath.map("vips_v1").maxEntries());
        }
    }

    @Test
    void theSettingSizesServicesAndVipsAndNothingElse() {
        try (Datapath datapath = load(131072)) {
            assertEquals(131072, datapath.map("services_v2").maxEntries());
            assertEquals(131072, datapath.map("vips_v1").maxEntries());
            assertEquals(262144, datapath.map("backends_v2").maxEntries());
        }
    }

    @Test
    void aRestartWithTheSameSizeReusesThePinnedMaps() {
        int id;
        try (Datapath first = load(4096)) {
            id = first.map("services_v2").id();
        }
        try (Datapath second = load(4096)) {
            assertEquals(id, second.map("services_v2").id());
        }
    }

    @Test
    void aRestartWithAnotherSizeIsRefusedAndSaysWhatToDo() {
        try (Datapath first = load(4096)) {
            assertNotNull(first);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> load(8192).close());
        assertTrue(e.getMessage().contains("--lb-map-max 8192"), e.getMessage());
        assertTrue(e.getMessage().contains("Keep --lb-map-max 4096"), e.getMessage());
        assertTrue(e.getMessage().contains("ferry uninstall --bpffs-root " + bpffs.root()), e.getMessage());
    }
}
