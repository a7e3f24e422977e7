package dev.ferry.bench.traffic;

import dev.ferry.agent.lab.AgentProcess;
import dev.ferry.agent.lab.Lab;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The packaged Ferry agent on both nodes in standalone mode (--services-file), as the e2e tests
 * run it: XDP on eth0 for the NodePort, TC on the pod veths. A new scale rewrites the services
 * file and waits for the agent's next completed sync; close() stops the agents and runs
 * `ferry uninstall`.
 */
final class FerryDataplane implements Dataplane {
    private static final Duration SYNC_TIMEOUT = Duration.ofMinutes(5);

    private final Lab lab;
    private final TrafficLab.Cluster cluster;
    private final List<AgentProcess> agents = new ArrayList<>();

    FerryDataplane(Lab lab, TrafficLab.Cluster cluster) {
        this.lab = lab;
        this.cluster = cluster;
    }

    @Override
    public void install(ServiceSet services) throws IOException, InterruptedException {
        String yaml = services.manifests(cluster.node2());
        Instant since = Instant.now();
        if (agents.isEmpty()) {
            for (String node : List.of(cluster.node1(), cluster.node2())) agents.add(AgentProcess.start(lab, node, yaml));
        } else {
            for (AgentProcess agent : agents) agent.writeServices(yaml);
        }
        for (AgentProcess agent : agents) {
            if (!agent.awaitSyncedSince(since, SYNC_TIMEOUT)) {
                throw new IllegalStateException("Ferry's agent did not sync " + services.services().size()
                        + " services within " + SYNC_TIMEOUT.toSeconds() + " s (alive: " + agent.alive() + "); its log:\n"
                        + tail(agent.log()));
            }
        }
    }

    private static String tail(String log) {
        return log.length() <= 4000 ? log : "..." + log.substring(log.length() - 4000);
    }

    @Override
    public void close() {
        agents.forEach(AgentProcess::close);
        agents.clear();
    }
}
