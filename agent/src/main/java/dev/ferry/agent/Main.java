package dev.ferry.agent;

import dev.ferry.agent.cli.Options;
import dev.ferry.agent.cli.Uninstall;
import dev.ferry.agent.lab.Demo;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** The one entry point of ferry.jar: {@code ferry agent|uninstall|demo}. */
public final class Main {
    private static final String USAGE = """
            usage: ferry <command> [flags]
              agent      run the node agent
                         --kubeconfig FILE        API server to watch (default: in-cluster service account)
                         --master URL             API server URL, overrides the kubeconfig's
                         --hostname-override NAME this node's name (default: the host name)
                         --nodeport-addresses CIDRS  node addresses NodePorts answer on (default: all but loopback)
                         --services-file FILE     standalone: Services and EndpointSlices (YAML), re-read on change
                         --pod-interfaces GLOBS   interfaces to attach to (default %s)
                         --bpffs-root DIR         where maps and links are pinned (default %s)
                         --hairpin-address IP     source a pod sees when it reaches itself via a service (default %s)
                         --metrics-bind-address HOST:PORT  Prometheus /metrics (default %s; "" turns it off)
                         --healthz-bind-address HOST:PORT  /healthz and /livez (default %s; "" turns it off)
              uninstall  detach all programs and remove all pins
                         --bpffs-root DIR
              demo       build a one-node lab in network namespaces and send traffic through a ClusterIP
            """.formatted(AgentConfig.DEFAULT_POD_INTERFACES, AgentConfig.DEFAULT_BPFFS_ROOT,
            AgentConfig.DEFAULT_HAIRPIN_ADDRESS, AgentConfig.DEFAULT_METRICS_BIND_ADDRESS,
            AgentConfig.DEFAULT_HEALTHZ_BIND_ADDRESS);

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT.%1$tL %4$-7s %3$s: %5$s%6$s%n");
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
            System.out.print(USAGE);
            return;
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        try {
            switch (args[0]) {
                case "agent" -> Agent.run(AgentConfig.from(Options.parse(rest, AgentConfig.FLAGS)));
                case "uninstall" -> System.exit(Uninstall.run(Path.of(
                        Options.parse(rest, Set.of("bpffs-root")).get("bpffs-root", AgentConfig.DEFAULT_BPFFS_ROOT))));
                case "demo" -> System.exit(Demo.run(Options.parse(rest, Demo.FLAGS)));
                default -> {
                    System.err.print("ferry: unknown command '" + args[0] + "'\n" + USAGE);
                    System.exit(2);
                }
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("ferry " + args[0] + ": " + e.getMessage());
            System.exit(2);
        }
    }
}
