package dev.ferry.agent.lab;

import dev.ferry.agent.cli.Options;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * `ferry demo`: a one-node lab (a client pod, two backend pods), the agent in the node's
 * namespace, one ClusterIP service, and real requests through it. Everything it creates is
 * removed at the end, also on Ctrl-C (the lab's shutdown hook).
 */
public final class Demo {
    public static final Set<String> FLAGS = Set.of("requests");

    private static final String VIP = "10.96.0.10";
    private static final int PORT = 80, TARGET = 8080;
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private Demo() {
    }

    public static int run(Options options) throws Exception {
        int requests = Integer.parseInt(options.get("requests", "10"));
        step("building the lab: node namespace, pods client (10.244.1.10), backend-1 (.11), backend-2 (.12)");
        try (Lab lab = Lab.builder().node("node1")
                .pod("node1", "client", "10.244.1.10")
                .pod("node1", "backend-1", "10.244.1.11")
                .pod("node1", "backend-2", "10.244.1.12").build()) {
            lab.startEcho("backend-1", TARGET);
            lab.startEcho("backend-2", TARGET);
            var web = ServiceManifest.tcpAndUdp("web", VIP, PORT, TARGET,
                    List.of(lab.podIp("backend-1"), lab.podIp("backend-2")));

            step("starting `ferry agent` in the node namespace with Service lab/web " + VIP + ":" + PORT
                    + " -> backend-1, backend-2 :" + TARGET);
            AgentProcess agent = AgentProcess.start(lab, "node1", web.yaml());
            Client client = lab.client("client");
            if (!awaitService(client, agent)) {
                System.out.println(agent.log());
                System.err.println("demo: the service did not answer within 20 s; agent log above");
                return 1;
            }

            step("TCP requests from the client pod to " + VIP + ":" + PORT);
            Map<String, Integer> hits = new TreeMap<>();
            for (int i = 1; i <= requests; i++) {
                Reply reply = client.tcpRequest(VIP, PORT, TIMEOUT);
                hits.merge(reply.server(), 1, Integer::sum);
                System.out.printf("  request %2d  client connected to %s, answered by %s, which saw the client as %s%n",
                        i, address(reply), reply.server(), reply.peerIp());
            }
            System.out.println("  per backend: " + hits);

            step("UDP requests to " + VIP + ":" + PORT);
            for (int i = 1; i <= 4; i++) {
                Reply reply = client.udpRequest(VIP, PORT, TIMEOUT);
                System.out.printf("  datagram %d  answered from %s by %s%n", i, address(reply), reply.server());
            }

            step("removing backend-2 from the EndpointSlice: new connections go to backend-1 only");
            agent.writeServices(web.withEndpoints(List.of(lab.podIp("backend-1"))).yaml());
            agent.awaitLog("maps synced", 2, Duration.ofSeconds(5));
            for (int i = 1; i <= 5; i++) {
                System.out.printf("  request %d  answered by %s%n", i, client.tcpRequest(VIP, PORT, TIMEOUT).server());
            }

            step("removing every endpoint: the service rejects at once, as kube-proxy does");
            agent.writeServices(web.withEndpoints(List.of()).yaml());
            agent.awaitLog("maps synced", 3, Duration.ofSeconds(5));
            long start = System.nanoTime();
            Outcome tcp = client.tcpProbe(VIP, PORT, TIMEOUT);
            long ms = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("  TCP connect: %s after %d ms%n", describe(tcp), ms);
            System.out.printf("  UDP request: %s%n", describe(client.udpProbe(VIP, PORT, TIMEOUT)));

            step("stopping the agent and running `ferry uninstall`");
            agent.stop();
            System.out.print("  " + agent.uninstall());
            step("tearing down the lab");
        }
        System.out.println("demo done: nothing left behind");
        return 0;
    }

    /** The agent attaches within a second of starting; allow for JVM start-up. */
    private static boolean awaitService(Client client, AgentProcess agent) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline && agent.alive()) {
            if (client.tcpProbe(VIP, PORT, Duration.ofMillis(300)) == Outcome.OK) return true;
            Thread.sleep(100);
        }
        return false;
    }

    private static String address(Reply reply) {
        return reply.remote().getAddress().getHostAddress() + ":" + reply.remote().getPort();
    }

    private static String describe(Outcome outcome) {
        return switch (outcome) {
            case REFUSED -> "connection refused";
            case OK -> "answered (unexpected)";
            case TIMEOUT -> "timed out";
            case UNREACHABLE -> "unreachable";
        };
    }

    private static void step(String text) {
        System.out.println();
        System.out.println("==> " + text);
    }

}
