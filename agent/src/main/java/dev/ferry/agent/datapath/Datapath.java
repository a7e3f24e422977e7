package dev.ferry.agent.datapath;

import dev.ferry.agent.datapath.abi.Abi;
import dev.ferry.agent.datapath.abi.BackendValue;
import dev.ferry.agent.datapath.abi.Counter;
import dev.ferry.agent.datapath.abi.CtKey;
import dev.ferry.agent.datapath.abi.CtValue;
import dev.ferry.agent.datapath.abi.Reason;
import dev.ferry.agent.datapath.abi.SlotKey;
import dev.ferry.agent.datapath.abi.SvcCidrKey;
import dev.ferry.agent.datapath.abi.SvcKey;
import dev.ferry.agent.datapath.abi.SvcValue;
import dev.ferry.bpf.BpfMap;
import dev.ferry.bpf.BpfObject;
import dev.ferry.bpf.BpfProgram;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * The loaded pod datapath (bpf/src/tc_pod.bpf.c): its programs and its maps, pinned under the
 * bpffs root so they outlive the agent and are reused by the next one.
 */
public final class Datapath implements AutoCloseable {
    public static final String POD_OBJECT = "/bpf/tc_pod.bpf.o";
    public static final String FROM_POD = "from_pod";
    public static final String TO_POD = "to_pod";

    private final BpfObject object;
    private final ServiceMaps serviceMaps;
    private final Conntrack conntrack;
    private final Path bpffsRoot;

    private Datapath(BpfObject object, Path bpffsRoot) {
        this.object = object;
        this.bpffsRoot = bpffsRoot;
        this.serviceMaps = new ServiceMaps(
                new BpfMapTable<>(object.map("services_v2"), SvcKey.CODEC, SvcValue.CODEC),
                new BpfMapTable<>(object.map("slots_v1"), SlotKey.CODEC, Abi.U32_CODEC),
                new BpfMapTable<>(object.map("backends_v1"), Abi.U32_CODEC, BackendValue.CODEC),
                new BpfMapTable<>(object.map("vips_v1"), Abi.IPV4_CODEC, Abi.U32_CODEC),
                new BpfMapTable<>(object.map("svc_cidrs_v1"), SvcCidrKey.CODEC, Abi.U32_CODEC));
        this.conntrack = new Conntrack(new BpfMapTable<>(object.map("ct_v1"), CtKey.CODEC, CtValue.CODEC));
    }

    /** Load-time settings, written into the programs' const volatile globals. */
    public record Settings(Inet4Address hairpinAddress) {
    }

    /**
     * Loads the pod programs with their maps pinned under {@code bpffsRoot} (created if needed;
     * maps already pinned there are reused, contents and all).
     */
    public static Datapath load(Path bpffsRoot, Settings settings) {
        requireBpffs(bpffsRoot);
        BpfObject object = BpfObject.open(resource(POD_OBJECT), "tc_pod", bpffsRoot);
        try {
            object.setGlobal("hairpin_addr", settings.hairpinAddress().getAddress()); // network order
            object.load();
            return new Datapath(object, bpffsRoot);
        } catch (RuntimeException e) {
            object.close();
            throw e;
        }
    }

    /** libbpf's "not on BPF FS" is cryptic; say what to do instead. */
    private static void requireBpffs(Path root) {
        Path mount = root;
        while (mount != null && !Files.isDirectory(mount)) mount = mount.getParent();
        try {
            if (mount == null || !"bpf".equals(Files.getFileStore(mount).type())) {
                throw new IllegalStateException("--bpffs-root " + root + " is not on a BPF filesystem; mount one first: "
                        + "mount -t bpf bpf " + (root.startsWith("/sys/fs/bpf") ? "/sys/fs/bpf" : root));
            }
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException("--bpffs-root " + root, e);
        }
    }

    static byte[] resource(String name) {
        try (InputStream in = Datapath.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException(name + " is not on the classpath; was bpf/ built?");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public ServiceMaps serviceMaps() {
        return serviceMaps;
    }

    public Conntrack conntrack() {
        return conntrack;
    }

    public BpfProgram fromPod() {
        return object.program(FROM_POD);
    }

    public BpfProgram toPod() {
        return object.program(TO_POD);
    }

    public BpfMap map(String name) {
        return object.map(name);
    }

    public Path bpffsRoot() {
        return bpffsRoot;
    }

    /** counters_v1 summed over CPUs. */
    public Map<Reason, Counter> counters() {
        BpfMap counters = object.map("counters_v1");
        Map<Reason, Counter> out = new EnumMap<>(Reason.class);
        try (Arena arena = Arena.ofConfined()) {
            for (Reason reason : Reason.values()) {
                MemorySegment key = arena.allocate(4);
                Abi.U32_CODEC.encode(reason.ordinal(), key);
                Counter sum = new Counter(0, 0);
                for (byte[] perCpu : counters.lookupPerCpu(key.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE))) {
                    sum = sum.plus(Counter.CODEC.decode(MemorySegment.ofArray(perCpu)));
                }
                out.put(reason, sum);
            }
        }
        return out;
    }

    @Override
    public void close() {
        object.close(); // closes fds only: the pins keep maps (and links) alive
    }
}
