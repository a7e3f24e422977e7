package dev.ferry.agent;

import dev.ferry.agent.cli.Options;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** Everything `ferry agent` is told on its command line. */
public record AgentConfig(Path bpffsRoot, List<String> podInterfaces, Path servicesFile, Inet4Address hairpinAddress) {
    public static final String DEFAULT_BPFFS_ROOT = "/sys/fs/bpf/ferry";
    public static final String DEFAULT_POD_INTERFACES = "veth*,lxc*,cali*,cni*";
    /** Link-local and never a pod's: the source a pod sees when it reaches itself through a service (as Cilium). */
    public static final String DEFAULT_HAIRPIN_ADDRESS = "169.254.42.1";

    static final Set<String> FLAGS = Set.of("bpffs-root", "pod-interfaces", "services-file", "hairpin-address");

    public static AgentConfig from(Options options) {
        String services = options.get("services-file", null);
        if (services == null) {
            throw new IllegalArgumentException("--services-file FILE is required (the Kubernetes API source comes later)");
        }
        return new AgentConfig(Path.of(options.get("bpffs-root", DEFAULT_BPFFS_ROOT)),
                options.list("pod-interfaces", DEFAULT_POD_INTERFACES),
                Path.of(services),
                ipv4(options.get("hairpin-address", DEFAULT_HAIRPIN_ADDRESS)));
    }

    private static Inet4Address ipv4(String s) {
        try {
            if (InetAddress.getByName(s) instanceof Inet4Address a && s.matches("[0-9.]+")) return a;
        } catch (UnknownHostException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("--hairpin-address '" + s + "' is not an IPv4 address");
    }
}
