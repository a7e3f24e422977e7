package dev.ferry.agent.lab;

import dev.ferry.agent.cli.Options;
import dev.ferry.agent.lab.netpol.NetpolModel;
import dev.ferry.agent.model.Protocol;
import io.fabric8.kubernetes.api.model.HasMetadata;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static dev.ferry.agent.lab.netpol.Policies.*;

/**
 * `ferry demo`: a two-node lab (node1 with a client pod and backend-1, node2 with backend-2, a
 * client outside the cluster), the agent in each node's namespace, one NodePort service, and
 * real requests through its ClusterIP and its NodePorts, with and without a NetworkPolicy.
 * Everything it creates is removed at the end, also on Ctrl-C (the lab's shutdown hook).
 */
public final class Demo {
    public static final Set<String> FLAGS = Set.of("requests");

    private static final String VIP = "10.96.0.10", NODE1 = "192.168.254.11", NODE2 = "192.168.254.12";
    private static final int PORT = 80, TARGET = 8080, NODE_PORT = 30080;
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private Demo() {
    }

    public static int run(Options options) throws Exception {
        int requests = Integer.parseInt(options.get("requests", "10"));
        step("building the lab: node1 (" + NODE1 + ", pods client 10.244.1.10 and backend-1 .11), "
                + "node2 (" + NODE2 + ", pod backend-2 10.244.2.12), and a client outside on their segment");
        try (Lab lab = Lab.builder().node("node1", "10.244.1.0/24").node("node2", "10.244.2.0/24").external("outside")
                .pod("node1", "client", "10.244.1.10")
                .pod("node1", "backend-1", "10.244.1.11")
                .pod("node2", "backend-2", "10.244.2.12").build()) {
            lab.startEcho("backend-1", TARGET);
            lab.startEcho("backend-2", TARGET);
            var web = ServiceManifest.tcpAndUdp("web", VIP, PORT, TARGET,
                    List.of(lab.podIp("backend-1"), lab.podIp("backend-2")))
                    .withNodePort(NODE_PORT, Map.of(lab.podIp("backend-1"), "node1", lab.podIp("backend-2"), "node2"));

            step("starting `ferry agent` in both node namespaces with Service lab/web " + VIP + ":" + PORT
                    + " (NodePort " + NODE_PORT + ") -> backend-1, backend-2 :" + TARGET);
            List<AgentProcess> agents = List.of(AgentProcess.start(lab, "node1", web.yaml()),
                    AgentProcess.start(lab, "node2", web.yaml()));
            Client client = lab.client("client");
            Client outside = lab.clientIn(lab.externalNs("outside"));
            for (AgentProcess agent : agents) {
                if (!awaitService(outside, agent == agents.getFirst() ? NODE1 : NODE2, agent)) {
                    System.out.println(agent.log());
                    System.err.println("demo: the service did not answer within 20 s; agent log above");
                    return 1;
                }
            }

            step("TCP requests from the client pod to the ClusterIP " + VIP + ":" + PORT + " (backend-2 is on node2)");
            Map<String, Integer> hits = new TreeMap<>();
            for (int i = 1; i <= requests; i++) {
                Reply reply = client.tcpRequest(VIP, PORT, TIMEOUT);
                hits.merge(reply.server(), 1, Integer::sum);
                System.out.printf("  request %2d  client connected to %s, answered by %s, which saw the client as %s%n",
                        i, address(reply), reply.server(), reply.peerIp());
            }
            System.out.println("  per backend: " + hits);

            step("from outside the cluster to the NodePort on each node (XDP; Maglev picks the backend)");
            for (String node : List.of(NODE1, NODE2)) {
                for (int i = 1; i <= 3; i++) {
                    Reply reply = outside.tcpRequest(node, NODE_PORT, TIMEOUT);
                    System.out.printf("  %s:%d  answered from %s by %s, which saw the client as %s%s%n", node, NODE_PORT,
                            address(reply), reply.server(), reply.peerIp(),
                            reply.peerIp().equals(lab.externalIp("outside")) ? " (local backend: no SNAT)" : " (SNAT)");
                }
            }
            step("one UDP flow (same source port) sent to both nodes: both pick the same backend");
            for (String node : List.of(NODE1, NODE2)) {
                Reply reply = outside.udpRequestFrom(40999, node, NODE_PORT, TIMEOUT);
                System.out.printf("  %s:%d  answered by %s%n", node, NODE_PORT, reply.server());
            }

            step("NetworkPolicy: the backends admit only pods labelled pod=client, on " + TARGET);
            writeAndAwait(agents, web.yaml() + podsAndPolicy(lab, true));
            System.out.printf("  client pod -> ClusterIP: answered by %s (policy judges the backend it is DNATed to)%n",
                    client.tcpRequest(VIP, PORT, TIMEOUT).server());
            System.out.printf("  outside -> %s:%d: %s%n", NODE1, NODE_PORT, describe(outside.tcpProbe(NODE1, NODE_PORT, TIMEOUT)));
            // Maglev may have sent it to either backend: the node of that backend dropped it.
            for (AgentProcess agent : agents) {
                if (!agent.awaitLog("policy drop ingress", 1, Duration.ofSeconds(1))) continue;
                agent.log().lines().filter(l -> l.contains("policy drop ingress")).findFirst()
                        .ifPresent(l -> System.out.println("  an agent logged: " + l.substring(l.indexOf("policy drop"))));
            }
            writeAndAwait(agents, web.yaml() + podsAndPolicy(lab, false));
            System.out.printf("  policy deleted: outside -> %s:%d answered by %s%n", NODE1, NODE_PORT,
                    outside.tcpRequest(NODE1, NODE_PORT, TIMEOUT).server());

            step("removing backend-2 from the EndpointSlice: new connections go to backend-1 only");
            for (AgentProcess agent : agents) agent.writeServices(web.withEndpoints(List.of(lab.podIp("backend-1"))).yaml());
            for (AgentProcess agent : agents) agent.awaitLog("maps synced", 2, Duration.ofSeconds(5));
            for (int i = 1; i <= 3; i++) {
                System.out.printf("  request %d  ClusterIP answered by %s, NodePort on node2 by %s%n", i,
                        client.tcpRequest(VIP, PORT, TIMEOUT).server(), outside.tcpRequest(NODE2, NODE_PORT, TIMEOUT).server());
            }

            step("removing every endpoint: the service rejects at once, as kube-proxy does");
            for (AgentProcess agent : agents) agent.writeServices(web.withEndpoints(List.of()).yaml());
            for (AgentProcess agent : agents) agent.awaitLog("maps synced", 3, Duration.ofSeconds(5));
            long start = System.nanoTime();
            Outcome tcp = client.tcpProbe(VIP, PORT, TIMEOUT);
            long ms = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("  TCP connect to the ClusterIP: %s after %d ms%n", describe(tcp), ms);
            System.out.printf("  UDP request to the ClusterIP: %s%n", describe(client.udpProbe(VIP, PORT, TIMEOUT)));
            System.out.printf("  TCP connect from outside to the NodePort: %s%n",
                    describe(outside.tcpProbe(NODE1, NODE_PORT, TIMEOUT)));

            step("stopping the agents and running `ferry uninstall` on each node");
            for (AgentProcess agent : agents) {
                agent.stop();
                System.out.print("  " + agent.uninstall());
            }
            step("tearing down the lab");
        }
        System.out.println("demo done: nothing left behind");
        return 0;
    }

    /** The lab's pods as Pod objects in namespace "lab", labelled pod=NAME, and the policy that admits only the client. */
    private static String podsAndPolicy(Lab lab, boolean withPolicy) {
        NetpolModel.Builder model = NetpolModel.builder().ports(TARGET).protocols(Protocol.TCP).namespace("lab");
        lab.pods().forEach(pod -> model.pod(pod.name(), pod.node(), pod.ip()));
        List<HasMetadata> objects = new ArrayList<>(model.build().objects());
        if (withPolicy) {
            objects.add(policy("lab", "web-admits-client").selecting(in("pod", "backend-1", "backend-2"))
                    .ingress(from(pods(labels("pod", "client"))).on(port(TARGET))).build());
        }
        return NetpolModel.yaml(objects);
    }

    /** Gives every agent the objects and waits until each has run a pass after that. */
    private static void writeAndAwait(List<AgentProcess> agents, String yaml) throws Exception {
        Instant written = Instant.now();
        for (AgentProcess agent : agents) agent.writeServices(yaml);
        for (AgentProcess agent : agents) {
            if (!agent.awaitSyncedSince(written, Duration.ofSeconds(10))) throw new LabException("no sync: " + agent.log());
        }
    }

    /** The agent attaches within a second of starting; allow for JVM start-up. */
    private static boolean awaitService(Client client, String node, AgentProcess agent) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline && agent.alive()) {
            if (client.tcpProbe(node, NODE_PORT, Duration.ofMillis(300)) == Outcome.OK) return true;
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
