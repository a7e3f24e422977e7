package dev.ferry.agent.datapath;

import dev.ferry.agent.datapath.abi.Abi;
import dev.ferry.agent.datapath.abi.BackendValue;
import dev.ferry.agent.translate.Backend;
import dev.ferry.bpf.BpfMap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A bpffs as older Ferrys left it, for upgrade tests: backends in a pinned backends_v1 (a hash
 * map, id -> struct backend without its id), the XDP flow cache in a per-CPU xdp_flows_v1,
 * declared as those Ferrys did.
 */
public final class OlderFerry {
    private OlderFerry() {
    }

    /** Pins backends_v1 under {@code root}, holding these backends. */
    public static void pinBackendsV1(Path root, Map<Integer, Backend> backends) throws IOException, InterruptedException {
        Path pin = pin(root, "backends_v1", "hash", 8, 262144);
        Map<Integer, BackendValue> values = new HashMap<>();
        backends.forEach((id, b) -> values.put(id, new BackendValue(0, b.address(), b.port(), b.local() ? BackendValue.F_LOCAL : 0)));
        try (BpfMap v1 = BpfMap.openPinned(pin)) {
            v1.typed(Abi.U32_CODEC, BackendValue.V1_CODEC).putAll(values);
        }
    }

    /** Pins the per-CPU xdp_flows_v1 under {@code root}, as the Ferry before xdp_flows_v2 did on two CPUs. */
    public static void pinXdpFlowsV1(Path root) throws IOException, InterruptedException {
        pin(root, "xdp_flows_v1", "percpu_array", 64, 131072);
    }

    private static Path pin(Path root, String name, String type, int valueSize, int entries)
            throws IOException, InterruptedException {
        Path pin = root.resolve(name);
        Files.createDirectories(root);
        Process p = new ProcessBuilder("bpftool", "map", "create", pin.toString(), "type", type, "key", "4",
                "value", String.valueOf(valueSize), "entries", String.valueOf(entries), "name", name)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IllegalStateException("bpftool map create: " + out);
        return pin;
    }

    /** The backends of the backends_v2 pinned under {@code root}, by id. */
    public static Map<Integer, Backend> backendsV2(Path root) {
        try (BpfMap v2 = BpfMap.openPinned(root.resolve("backends_v2"))) {
            return new BackendSlots(new BpfMapTable<>(v2, Abi.U32_CODEC, BackendValue.CODEC)).read();
        }
    }

    /**
     * Turns a node this Ferry programmed into one the older Ferry left: backends_v2's backends go
     * into a pinned backends_v1, and backends_v2's pin goes (programs still attached keep theirs).
     * Returns the backends moved.
     */
    public static Map<Integer, Backend> olderNode(Path root) throws IOException, InterruptedException {
        Map<Integer, Backend> backends = backendsV2(root);
        Files.delete(root.resolve("backends_v2"));
        pinBackendsV1(root, backends);
        return backends;
    }
}
