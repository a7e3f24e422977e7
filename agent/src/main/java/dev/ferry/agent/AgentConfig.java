package dev.ferry.agent;

import dev.ferry.agent.cli.Options;
import dev.ferry.agent.http.BindAddress;
import dev.ferry.agent.datapath.Cgroup2;
import dev.ferry.agent.datapath.Datapath;
import dev.ferry.agent.model.Cidr;
import dev.ferry.agent.model.Ipv4;
import dev.ferry.agent.translate.Maglev;

import java.net.Inet4Address;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Everything `ferry agent` is told on its command line. Services come from {@code servicesFile}
 * when it is given (standalone), otherwise from the API server named by {@code kubeconfig}
 * and/or {@code master}, or the in-cluster configuration when neither is. A null bind address
 * means that server is off.
 */
public record AgentConfig(Path bpffsRoot, List<String> podInterfaces, Path servicesFile, Path kubeconfig,
                          String master, String nodeName, List<Cidr> nodePortAddresses, Inet4Address hairpinAddress,
                          BindAddress metricsBindAddress, BindAddress healthzBindAddress,
                          List<String> nodePortInterfaces, int maglevTableSize, int lbMapMax, Path cgroupRoot) {
    public static final String DEFAULT_BPFFS_ROOT = "/sys/fs/bpf/ferry";
    public static final String DEFAULT_POD_INTERFACES = "veth*,lxc*,cali*,cni*";
    /** Link-local and never a pod's: the source a pod sees when it reaches itself through a service (as Cilium). */
    public static final String DEFAULT_HAIRPIN_ADDRESS = "169.254.42.1";
    /** kube-proxy's defaults: metrics only for the node itself, health for load balancers' probes. */
    public static final String DEFAULT_METRICS_BIND_ADDRESS = "127.0.0.1:10249";
    public static final String DEFAULT_HEALTHZ_BIND_ADDRESS = "0.0.0.0:10256";

    static final Set<String> FLAGS = Set.of("bpffs-root", "pod-interfaces", "services-file", "kubeconfig", "master",
            "hostname-override", "nodeport-addresses", "hairpin-address", "metrics-bind-address",
            "healthz-bind-address", "nodeport-interfaces", "maglev-table-size",
            "lb-map-max", "cgroup-root");

    public static AgentConfig from(Options options) {
        String services = options.get("services-file", null);
        String kubeconfig = options.get("kubeconfig", null);
        String master = options.get("master", null);
        if (services != null && (kubeconfig != null || master != null)) {
            throw new IllegalArgumentException("--services-file is standalone mode; do not combine it with --kubeconfig/--master");
        }
        if (kubeconfig != null && !java.nio.file.Files.isReadable(Path.of(kubeconfig))) {
            throw new IllegalArgumentException("--kubeconfig " + kubeconfig + " is not a readable file");
        }
        return new AgentConfig(Path.of(options.get("bpffs-root", DEFAULT_BPFFS_ROOT)),
                options.list("pod-interfaces", DEFAULT_POD_INTERFACES),
                services == null ? null : Path.of(services),
                kubeconfig == null ? null : Path.of(kubeconfig),
                master,
                options.get("hostname-override", hostname()).trim().toLowerCase(java.util.Locale.ROOT),
                cidrs("nodeport-addresses", options.list("nodeport-addresses", "")),
                ipv4(options.get("hairpin-address", DEFAULT_HAIRPIN_ADDRESS)),
                BindAddress.parse("metrics-bind-address", options.get("metrics-bind-address", DEFAULT_METRICS_BIND_ADDRESS)),
                BindAddress.parse("healthz-bind-address", options.get("healthz-bind-address", DEFAULT_HEALTHZ_BIND_ADDRESS)),
                options.list("nodeport-interfaces", ""),
                maglevTableSize(options.get("maglev-table-size", String.valueOf(Maglev.DEFAULT_SIZE))),
                lbMapMax(options.get("lb-map-max", String.valueOf(Datapath.Settings.DEFAULT_LB_MAP_MAX))),
                cgroupRoot(options.get("cgroup-root", null)));
    }

    /** Cilium's --cgroup-root: the cgroup2 hierarchy whose root the host socket hooks attach to; default: the machine's. */
    private static Path cgroupRoot(String value) {
        Path root = value != null ? Path.of(value) : Cgroup2.findMount().orElseThrow(() -> new IllegalArgumentException(
                "no cgroup2 filesystem is mounted; mount one (mount -t cgroup2 none DIR) and pass --cgroup-root DIR"));
        if (!Cgroup2.isCgroup2(root)) throw new IllegalArgumentException("--cgroup-root " + root + " is not a cgroup2 mount");
        return root;
    }

    /** A prime, as Maglev needs (Cilium's --bpf-lb-maglev-table-size takes the same values). */
    private static int maglevTableSize(String value) {
        try {
            int size = Integer.parseInt(value.trim());
            Maglev.checkSize(size);
            return size;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--maglev-table-size " + value + ": " + e.getMessage());
        }
    }

    /** Cilium's --bpf-lb-map-max: entries of services_v2 and vips_v1, fixed when the maps are first pinned. */
    private static int lbMapMax(String value) {
        try {
            int max = Integer.parseInt(value.trim());
            if (max < 1) throw new IllegalArgumentException("must be a positive number of entries");
            return max;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--lb-map-max " + value + ": " + e.getMessage());
        }
    }

    /** kube-proxy's --nodeport-addresses: IPv4 CIDRs; none means every local address. */
    private static List<Cidr> cidrs(String flag, List<String> values) {
        try {
            return values.stream().filter(v -> !v.contains(":")).map(Cidr::parse).toList();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--" + flag + ": " + e.getMessage());
        }
    }

    /** As kube-proxy: the kernel's host name (no DNS lookup), lowercased by the caller. */
    static String hostname() {
        try {
            return java.nio.file.Files.readString(Path.of("/proc/sys/kernel/hostname"));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("can not read the host name; pass --hostname-override", e);
        }
    }

    private static Inet4Address ipv4(String s) {
        try {
            return Ipv4.parse(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--hairpin-address " + e.getMessage());
        }
    }
}
