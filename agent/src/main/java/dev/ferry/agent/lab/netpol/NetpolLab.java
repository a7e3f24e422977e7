package dev.ferry.agent.lab.netpol;

import dev.ferry.agent.lab.AgentProcess;
import dev.ferry.agent.lab.Lab;
import dev.ferry.agent.lab.LabException;
import dev.ferry.agent.lab.Node;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A {@link NetpolModel} brought to life: its pods in a lab, echo servers on every port, and a
 * real `ferry agent` on every lab node reading one services file of Namespaces, Pods and
 * NetworkPolicies. {@link #apply} replaces that file on every node and returns once every agent
 * has programmed it; a {@link Prober} then tells what the datapath lets through.
 */
public final class NetpolLab implements AutoCloseable {
    /** JVM start, BPF load and the first pass. */
    private static final Duration FIRST_SYNC = Duration.ofSeconds(60);
    /** The agent polls its file every 200 ms and runs one pass per change. */
    private static final Duration SYNC = Duration.ofSeconds(10);
    /** Where the generation marker lives: a ClusterIP no test dials, in no ServiceCIDR. */
    private static final String MARKER_IP = "10.96.255.254";

    private final Lab lab;
    private final NetpolModel model;
    private final List<AgentProcess> agents = new ArrayList<>();
    private final Prober prober;
    private int generation;

    private NetpolLab(Lab lab, NetpolModel model, Duration probeTimeout) {
        this.lab = lab;
        this.model = model;
        this.prober = Prober.of(lab, model, probeTimeout);
    }

    /**
     * Builds the lab from {@code nodes} (a builder holding the nodes the model places pods on)
     * with the model's pods, starts their servers, and an agent per node with no policy.
     */
    public static NetpolLab start(Lab.Builder nodes, NetpolModel model, Duration probeTimeout)
            throws IOException, InterruptedException {
        Lab lab = model.addPodsTo(nodes).build();
        try {
            NetpolLab cluster = new NetpolLab(lab, model, probeTimeout);
            model.startServers(lab);
            Instant written = Instant.now();
            String yaml = cluster.yaml(model, List.of());
            for (Node node : lab.nodes()) cluster.agents.add(AgentProcess.start(lab, node.name(), yaml));
            cluster.awaitSync(written, FIRST_SYNC);
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    public Lab lab() {
        return lab;
    }

    /** The model the lab was built from; its labels are the starting ones. */
    public NetpolModel model() {
        return model;
    }

    public Prober prober() {
        return prober;
    }

    public List<AgentProcess> agents() {
        return List.copyOf(agents);
    }

    /**
     * Writes the cluster as {@code state} (same pods and IPs, its labels) with exactly these
     * policies to every agent's services file, and waits until every agent has synced it.
     * Returns how long that took.
     */
    public Duration apply(NetpolModel state, List<NetworkPolicy> policies) throws IOException, InterruptedException {
        return apply(state, policies, "");
    }

    /** As {@link #apply(NetpolModel, List)}, with more objects (Services, say) in {@code moreYaml}. */
    public Duration apply(NetpolModel state, List<NetworkPolicy> policies, String moreYaml)
            throws IOException, InterruptedException {
        Instant written = Instant.now();
        String yaml = yaml(state, policies) + (moreYaml.isEmpty() ? "" : "\n---\n" + moreYaml);
        for (AgentProcess agent : agents) agent.writeServices(yaml);
        awaitSync(written, SYNC);
        return Duration.between(written, Instant.now());
    }

    /** Every agent's log, for a failure message. */
    public String agentLogs() {
        return agents.stream().map(AgentProcess::log).collect(Collectors.joining("\n----- next agent -----\n"));
    }

    private void awaitSync(Instant written, Duration timeout) throws InterruptedException {
        for (AgentProcess agent : agents) {
            if (!agent.awaitSyncedSince(written, timeout)) {
                throw new LabException("an agent did not sync the services file written at " + written + " within "
                        + timeout.toSeconds() + " s (alive: " + agent.alive() + "); its log:\n" + agent.log());
            }
        }
    }

    /**
     * Namespaces, pods and policies, plus a marker Service whose port counts the writes: every
     * file differs from the last in what the agent programs, not only in bytes, so every write
     * ends in a pass whatever the file source and the reconciler skip as unchanged.
     */
    private String yaml(NetpolModel state, List<NetworkPolicy> policies) {
        List<HasMetadata> objects = new ArrayList<>(state.objects());
        objects.addAll(policies);
        objects.add(marker(1 + generation++ % 65535));
        return NetpolModel.yaml(objects);
    }

    /** @param port 1-65535, one more each write (wrapping in a long demo) */
    private static Service marker(int port) {
        return new ServiceBuilder().withNewMetadata().withNamespace("default").withName("netpol-lab-generation").endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP(MARKER_IP)
                .addNewPort().withName("generation").withProtocol("TCP").withPort(port).endPort()
                .endSpec().build();
    }

    /** Stops the agents and removes the lab. */
    @Override
    public void close() {
        lab.close();
    }
}
