package dev.ferry.agent.datapath;

import dev.ferry.agent.datapath.abi.Abi;
import dev.ferry.agent.datapath.abi.BackendValue;
import dev.ferry.agent.datapath.abi.Counter;
import dev.ferry.agent.datapath.abi.CtKey;
import dev.ferry.agent.datapath.abi.CtValue;
import dev.ferry.agent.datapath.abi.EndpointValue;
import dev.ferry.agent.datapath.abi.IpcacheValue;
import dev.ferry.agent.datapath.abi.MaglevTable;
import dev.ferry.agent.datapath.abi.NodeportIf;
import dev.ferry.agent.datapath.abi.PolicyKey;
import dev.ferry.agent.datapath.abi.PrefixKey;
import dev.ferry.agent.datapath.abi.Reason;
import dev.ferry.agent.datapath.abi.SlotKey;
import dev.ferry.agent.datapath.abi.SrcRangeKey;
import dev.ferry.agent.datapath.abi.SvcKey;
import dev.ferry.agent.datapath.abi.SvcValue;
import dev.ferry.agent.translate.Maglev;
import dev.ferry.bpf.BpfMap;
import dev.ferry.bpf.BpfObject;
import dev.ferry.bpf.BpfProgram;
import dev.ferry.bpf.PossibleCpus;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The loaded datapath: the pod programs (bpf/src/tc_pod.bpf.c), the node interface program
 * (bpf/src/xdp_node.bpf.c) and the maps they share, pinned under the bpffs root so they outlive
 * the agent and are reused by the next one.
 */
public final class Datapath implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Datapath.class.getName());
    public static final String POD_OBJECT = "/bpf/tc_pod.bpf.o";
    public static final String NODE_OBJECT = "/bpf/xdp_node.bpf.o";
    public static final String FROM_POD = "from_pod";
    public static final String TO_POD = "to_pod";
    public static final String FROM_NODE = "from_node";
    static final String MAGLEV_MAP = "maglev_v1";
    static final String XDP_FLOWS_MAP = "xdp_flows_v2";
    /** Its per-CPU predecessor: a cache, dropped when an agent of xdp_flows_v2 starts. */
    private static final String OLD_XDP_FLOWS_MAP = "xdp_flows_v1";
    /** ct_v1's entries (bpf/src/maps.h). */
    static final int CONNTRACK_ENTRIES = 262144;
    static final String BACKENDS_MAP = "backends_v2";
    /** The maps sized by {@link Settings#lbMapMax()}: one entry per frontend, one per allocated VIP. */
    static final List<String> LB_MAPS = List.of("services_v2", "vips_v1");

    private final BpfObject pod;
    private final BpfObject node;
    private final BackendSlots backends;
    private final ServiceMaps serviceMaps;
    private final Conntrack conntrack;
    private final MapTable<Integer, Inet4Address> nodeportInterfaces;
    /** XDP's (external frontends, SNAT addresses) and the pod veth programs' (every frontend and backend). */
    private final AddressFilter frontendAddresses, serviceAddresses;
    private final Path bpffsRoot;
    private final Settings settings;
    private final DatapathClock clock;

    private Datapath(BpfObject pod, BpfObject node, Path bpffsRoot, Settings settings, DatapathClock clock) {
        this.pod = pod;
        this.node = node;
        this.bpffsRoot = bpffsRoot;
        this.settings = settings;
        this.clock = clock;
        int maglevTableSize = settings.maglevTableSize();
        // Holding every address a pinned entry needs from here on; published by load.
        this.frontendAddresses = addressFilter(pod, AddressFilter.FRONTEND_ADDRS);
        this.serviceAddresses = addressFilter(pod, AddressFilter.SVC_ADDRS);
        this.backends = new BackendSlots(new FilteredAddressTable<>(
                new BpfMapTable<>(pod.map(BACKENDS_MAP), Abi.U32_CODEC, BackendValue.CODEC),
                serviceAddresses, (slot, backend) -> backend.id() != 0 ? backend.address() : null)); // id 0: an empty slot
        this.nodeportInterfaces = new FilteredAddressTable<>(
                new BpfMapTable<>(pod.map("nodeport_ifs_v1"), Abi.U32_CODEC, NodeportIf.CODEC),
                frontendAddresses, (ifindex, snatAddress) -> snatAddress);
        this.serviceMaps = new ServiceMaps(new ServiceMaps.Tables(
                new FilteredAddressTable<>(new FilteredAddressTable<>(
                        new BpfMapTable<>(pod.map("services_v2"), SvcKey.CODEC, SvcValue.CODEC),
                        frontendAddresses, (key, value) -> key.scope() == SvcKey.SCOPE_EXTERNAL ? key.vip() : null),
                        serviceAddresses, (key, value) -> key.vip()),
                new BpfMapTable<>(pod.map("slots_v1"), SlotKey.CODEC, Abi.U32_CODEC),
                backends,
                new BpfMapTable<>(pod.map("vips_v1"), Abi.IPV4_CODEC, Abi.U32_CODEC),
                new BpfMapTable<>(pod.map("svc_cidrs_v1"), PrefixKey.SVC_CIDR.codec(), Abi.U32_CODEC),
                new BpfMapTable<>(pod.map(MAGLEV_MAP), Abi.U32_CODEC, MaglevTable.codec(maglevTableSize)),
                new BpfMapTable<>(pod.map("src_ranges_v1"), SrcRangeKey.CODEC, Abi.U32_CODEC),
                maglevTableSize));
        this.conntrack = new Conntrack(new BpfMapTable<>(pod.map("ct_v1"), CtKey.CODEC, CtValue.CODEC),
                new BpfMapTable<>(pod.map("flow_versions_v1"), Abi.U32_CODEC, Abi.U32_CODEC));
    }

    private static AddressFilter addressFilter(BpfObject object, AddressFilter.Shape shape) {
        return new AddressFilter(new BpfMapTable<>(object.map(shape.map()), Abi.U32_CODEC, Abi.U64_CODEC), shape);
    }

    /**
     * Load-time settings, written into the programs' const volatile globals and map sizes.
     *
     * @param lbMapMax entries of services_v2 and vips_v1 (Cilium's --bpf-lb-map-max): how many
     *                 frontends (VIP, port, protocol) and allocated VIPs the node can serve
     */
    public record Settings(Inet4Address hairpinAddress, int maglevTableSize, int lbMapMax) {
        public static final int DEFAULT_LB_MAP_MAX = 65536;

        public Settings {
            Maglev.checkSize(maglevTableSize);
            if (lbMapMax < 1) throw new IllegalArgumentException("lbMapMax must be positive: " + lbMapMax);
        }

        public Settings(Inet4Address hairpinAddress, int maglevTableSize) {
            this(hairpinAddress, maglevTableSize, DEFAULT_LB_MAP_MAX);
        }

        public Settings(Inet4Address hairpinAddress) {
            this(hairpinAddress, Maglev.DEFAULT_SIZE);
        }
    }

    /**
     * Loads the programs with their maps pinned under {@code bpffsRoot} (created if needed;
     * maps already pinned there are reused, contents and all), on this kernel's clock
     * ({@link DatapathClock#probe()}, a tenth of a second).
     */
    public static Datapath load(Path bpffsRoot, Settings settings) {
        requireBpffs(bpffsRoot);
        dropCacheOfAnotherShape(bpffsRoot, MAGLEV_MAP, m -> m.valueSize() == settings.maglevTableSize() * Integer.BYTES,
                "Maglev table size changed to " + settings.maglevTableSize() + ": rebuilding the tables");
        int flowEntries = xdpFlowEntries(PossibleCpus.count());
        dropCacheOfAnotherShape(bpffsRoot, XDP_FLOWS_MAP, m -> m.maxEntries() == flowEntries,
                "XDP flow cache resized to " + flowEntries + " slots");
        dropCache(bpffsRoot.resolve(OLD_XDP_FLOWS_MAP), "XDP flow cache moved to " + XDP_FLOWS_MAP);
        requirePinnedLbMapsOfSize(bpffsRoot, settings.lbMapMax());
        DatapathClock clock = DatapathClock.probe();
        BpfObject pod = open(POD_OBJECT, "tc_pod", bpffsRoot, settings, clock);
        BpfObject node = null;
        try {
            node = open(NODE_OBJECT, "xdp_node", bpffsRoot, settings, clock);
            Datapath datapath = new Datapath(pod, node, bpffsRoot, settings, clock);
            // Before anything reads backends_v2 and before these programs replace the old ones.
            BackendsV1Upgrade.carryOver(bpffsRoot, datapath.backends);
            // Then the address bitmaps, which the programs still attached may share: written whole
            // only once they hold every address the pinned and carried-over entries need.
            datapath.frontendAddresses.publish();
            datapath.serviceAddresses.publish();
            return datapath;
        } catch (RuntimeException e) {
            if (node != null) node.close();
            pod.close();
            throw e;
        }
    }

    /**
     * Unpins the maps of older datapaths that {@link #load} carried over (backends_v1). Call it
     * once these programs replaced the old ones everywhere: the kernel keeps an unpinned map
     * for as long as a program uses it, and a node that never got that far keeps the pin for
     * the next start (or the old agent) to find.
     */
    public void unpinCarriedOverMaps() {
        BackendsV1Upgrade.unpin(bpffsRoot);
    }

    /**
     * Loads another object built from a datapath program's source (bench/'s wrappers include
     * xdp_node.bpf.c or tc_pod.bpf.c) exactly as this datapath's objects were: the same
     * configuration and clock, the same maps through their pins. The caller closes it.
     */
    public BpfObject loadAlike(String resource, String name) {
        return open(resource, name, bpffsRoot, settings, clock);
    }

    /** One object, configured alike: every object declares every map, and shares it by its pin. */
    private static BpfObject open(String resource, String name, Path bpffsRoot, Settings settings, DatapathClock clock) {
        BpfObject object = BpfObject.open(resource(resource), name, bpffsRoot);
        try {
            object.setGlobal("hairpin_addr", settings.hairpinAddress().getAddress()); // network order
            object.setGlobalInt("maglev_table_size", settings.maglevTableSize());
            clock.configure(object);
            object.setValueSize(MAGLEV_MAP, settings.maglevTableSize() * Integer.BYTES);
            int cpus = PossibleCpus.count();
            object.setGlobalInt("xdp_flow_slots", xdpFlowSlotsPerCpu(cpus));
            object.setMaxEntries(XDP_FLOWS_MAP, xdpFlowEntries(cpus));
            for (String map : LB_MAPS) object.setMaxEntries(map, settings.lbMapMax());
            object.load();
            return object;
        } catch (RuntimeException e) {
            object.close();
            throw e;
        }
    }

    /**
     * xdp_flows_v2's slots per CPU (bpf/src/xdp_flows.h): every CPU an equal share of as many
     * slots as ct_v1 has entries, so the cache takes 64 bytes per conntrack entry however many
     * CPUs share it (16 MiB); a power of two, at least 1024.
     */
    static int xdpFlowSlotsPerCpu(int possibleCpus) {
        return Math.max(1024, Integer.highestOneBit(CONNTRACK_ENTRIES / possibleCpus));
    }

    /** xdp_flows_v2's entries: every CPU's slots, CPU after CPU. */
    static int xdpFlowEntries(int possibleCpus) {
        return xdpFlowSlotsPerCpu(possibleCpus) * possibleCpus;
    }

    /**
     * A pinned map of derived state that no longer has the shape these programs want (the Maglev
     * tables at another table size, the XDP flow cache at another CPU count) can not be reused:
     * libbpf checks sizes. Unpin it; the reconciler or the datapath fills the new one.
     */
    private static void dropCacheOfAnotherShape(Path bpffsRoot, String map, Predicate<BpfMap> fits, String why) {
        Path pin = bpffsRoot.resolve(map);
        if (!Files.exists(pin)) return;
        try (BpfMap pinned = BpfMap.openPinned(pin)) {
            if (fits.test(pinned)) return;
        }
        dropCache(pin, why);
    }

    /** Unpins a pinned map of derived state, if there is one (programs still using it keep it). */
    private static void dropCache(Path pin, String why) {
        if (!Files.exists(pin)) return;
        LOG.log(System.Logger.Level.WARNING, "{0}: unpinning {1}", why, pin);
        try {
            Files.delete(pin);
        } catch (IOException e) {
            throw new UncheckedIOException("unpinning " + pin, e);
        }
    }

    /**
     * Unlike the Maglev tables, services_v2 and vips_v1 are the state a restarted agent restores
     * its ids from and keeps serving with meanwhile: never dropped behind the operator's back.
     * libbpf would refuse them anyway ("can't reuse pinned map ...: parameter mismatch", EINVAL);
     * say which flag did it and what to do.
     */
    private static void requirePinnedLbMapsOfSize(Path bpffsRoot, int lbMapMax) {
        for (String map : LB_MAPS) {
            Path pin = bpffsRoot.resolve(map);
            if (!Files.exists(pin)) continue;
            try (BpfMap pinned = BpfMap.openPinned(pin)) {
                if (pinned.maxEntries() == lbMapMax) continue;
                throw new IllegalStateException("--lb-map-max " + lbMapMax + " does not match " + pin + ", pinned with "
                        + pinned.maxEntries() + " entries by an earlier agent. Keep --lb-map-max " + pinned.maxEntries()
                        + ", or run `ferry uninstall --bpffs-root " + bpffsRoot + "` first to resize (services are not"
                        + " forwarded until the agent has programmed them again)");
            }
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

    /** nodeport_ifs_v1: ifindex of a node interface with XDP -> the address flows are SNATed to through it. */
    public MapTable<Integer, Inet4Address> nodeportInterfaces() {
        return nodeportInterfaces;
    }

    /** ipcache_v1, endpoints_v1, policy_v1. */
    public PolicyMaps policyMaps() {
        return new PolicyMaps(new BpfMapTable<>(pod.map("ipcache_v1"), PrefixKey.IPCACHE.codec(), IpcacheValue.CODEC),
                new BpfMapTable<>(pod.map("endpoints_v1"), Abi.IPV4_CODEC, EndpointValue.CODEC),
                new BpfMapTable<>(pod.map("policy_v1"), PolicyKey.CODEC, Abi.U32_CODEC));
    }

    public Conntrack conntrack() {
        return conntrack;
    }

    public BpfProgram fromPod() {
        return pod.program(FROM_POD);
    }

    public BpfProgram toPod() {
        return pod.program(TO_POD);
    }

    public BpfProgram fromNode() {
        return node.program(FROM_NODE);
    }

    public BpfMap map(String name) {
        return pod.map(name);
    }

    public Path bpffsRoot() {
        return bpffsRoot;
    }

    /** The clock the datapath's objects were loaded with; other objects sharing its maps need it too. */
    public DatapathClock clock() {
        return clock;
    }

    /** counters_v1 summed over CPUs. */
    public Map<Reason, Counter> counters() {
        BpfMap counters = pod.map("counters_v1");
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
        // Closes fds only: the pins keep maps (and links) alive.
        node.close();
        pod.close();
    }
}
