package dev.ferry.agent.datapath;

import dev.ferry.agent.model.Cidr;

import java.net.Inet4Address;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The node interfaces XDP serves, and nodeport_ifs_v1: the address each one SNATs to. Named by
 * --nodeport-interfaces globs; without them, every interface that holds a NodePort address and
 * is no pod interface (as Cilium picks its devices by their addresses). Used by the attacher's
 * thread only.
 */
public final class NodeInterfaces {
    private static final System.Logger LOG = System.getLogger(NodeInterfaces.class.getName());

    private final InterfaceGlobs globs;
    private final InterfaceGlobs podInterfaces;
    private final List<Cidr> nodePortAddresses;
    private final MapTable<Integer, Inet4Address> snatAddresses;
    private final Map<Integer, Inet4Address> written = new HashMap<>();
    /**
     * Every interface's IPv4 addresses, read once per attach pass (in {@link #update}) rather
     * than once per interface asked about; a new address is seen one pass (500 ms) later.
     */
    private Map<String, List<Inet4Address>> addresses;

    public NodeInterfaces(InterfaceGlobs globs, InterfaceGlobs podInterfaces, List<Cidr> nodePortAddresses,
                          MapTable<Integer, Inet4Address> snatAddresses) {
        this.globs = globs;
        this.podInterfaces = podInterfaces;
        this.nodePortAddresses = List.copyOf(nodePortAddresses);
        this.snatAddresses = snatAddresses;
        snatAddresses.entries().forEach(written::put); // restart: known entries are rewritten only on change
        addresses = NodeAddresses.byInterface(List.of());
    }

    public boolean selects(String ifname) {
        if (!globs.globs().isEmpty()) return globs.matches(ifname);
        return !podInterfaces.matches(ifname) && !nodePortAddressesOf(ifname).isEmpty();
    }

    private List<Inet4Address> nodePortAddressesOf(String ifname) {
        return addresses.getOrDefault(ifname, List.of()).stream()
                .filter(a -> NodeAddresses.inside(nodePortAddresses, a))
                .toList();
    }

    /** After each attach pass: every XDP interface gets its address, detached ones lose theirs. */
    public void update(Set<InterfaceAttacher.Attachment> attached) {
        addresses = NodeAddresses.byInterface(List.of());
        Map<Integer, Inet4Address> wanted = new HashMap<>();
        for (var a : attached) {
            if (!a.hook().equals("xdp")) continue;
            List<Inet4Address> own = nodePortAddressesOf(a.ifname());
            if (own.isEmpty()) own = addresses.getOrDefault(a.ifname(), List.of());
            if (own.isEmpty()) {
                LOG.log(System.Logger.Level.WARNING, "{0} has no IPv4 address: NodePort traffic there can only reach "
                        + "local backends", a.ifname());
                continue;
            }
            wanted.put(a.ifindex(), own.getFirst());
        }
        wanted.forEach((ifindex, address) -> {
            if (address.equals(written.get(ifindex))) return;
            snatAddresses.put(ifindex, address);
            written.put(ifindex, address);
            LOG.log(System.Logger.Level.INFO, "interface {0}: flows to other nodes leave from {1}", ifindex,
                    address.getHostAddress());
        });
        for (var it = written.keySet().iterator(); it.hasNext(); ) {
            Integer ifindex = it.next();
            if (wanted.containsKey(ifindex)) continue;
            snatAddresses.remove(ifindex);
            it.remove();
        }
    }
}
