package dev.ferry.agent.lab.netpol;

import dev.ferry.agent.lab.Client;
import dev.ferry.agent.lab.Lab;
import dev.ferry.agent.lab.LabException;
import dev.ferry.agent.lab.Outcome;
import dev.ferry.agent.lab.Reply;
import dev.ferry.agent.model.Protocol;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Probes pod to pod, every pair at once: one virtual thread per probe, each a real TCP request
 * (connect, a line, the echo's answer) or UDP request/response to the server pod's IP, from a
 * socket made inside the client pod. A dropped SYN or datagram ends in a timeout: blocked. Only
 * an answer naming the dialled pod counts as connected.
 */
public final class Prober {
    /** Between rounds of re-probing wrong cells. */
    private static final Duration RETRY_PAUSE = Duration.ofMillis(200);

    private final Map<String, Client> clients;
    private final Map<String, String> ips;
    private final Duration timeout;

    /**
     * @param clients a client inside each pod, by "x/a"
     * @param ips     each pod's IP, by "x/a"
     * @param timeout how long a probe waits for the connection and for the answer
     */
    public Prober(Map<String, Client> clients, Map<String, String> ips, Duration timeout) {
        this.clients = Map.copyOf(clients);
        this.ips = Map.copyOf(ips);
        this.timeout = timeout;
    }

    /** A prober for every pod of the model, with clients that close with the lab. */
    public static Prober of(Lab lab, NetpolModel model, Duration timeout) {
        Map<String, Client> clients = new LinkedHashMap<>();
        Map<String, String> ips = new LinkedHashMap<>();
        for (String pod : model.podStrings()) {
            clients.put(pod, lab.client(PodStrings.labName(pod)));
            ips.put(pod, model.ip(pod));
        }
        return new Prober(clients, ips, timeout);
    }

    /** One request from a pod to another pod's IP. */
    public ProbeResult probe(String from, String to, int port, Protocol protocol) {
        Client client = clients.get(from);
        String ip = ips.get(to);
        if (client == null || ip == null) throw new IllegalArgumentException("unknown pod in " + from + " -> " + to);
        long start = System.nanoTime();
        Outcome outcome;
        String answeredBy = null;
        try {
            Reply reply = switch (protocol) {
                case TCP -> client.tcpRequest(ip, port, timeout);
                case UDP -> client.udpRequest(ip, port, timeout);
                case SCTP -> throw new IllegalArgumentException("the lab probes TCP and UDP only");
            };
            outcome = Outcome.OK;
            answeredBy = reply.server();
        } catch (IOException e) {
            outcome = Client.outcomeOf(e);
        }
        return new ProbeResult(from, to, port, protocol, outcome, answeredBy, Duration.ofNanos(System.nanoTime() - start));
    }

    /**
     * Probes every cell of every matrix at once and records what it saw; then, while some cell
     * is wrong and {@code settle} has not passed, probes the wrong cells again (a policy may take
     * a moment to apply). Returns whether every matrix came out right.
     */
    public boolean validate(List<Matrix> matrices, Duration settle) throws InterruptedException {
        probe(matrices, m -> allCells(m.reachability()));
        long deadline = System.nanoTime() + settle.toNanos();
        while (!allRight(matrices) && System.nanoTime() < deadline) {
            Thread.sleep(RETRY_PAUSE);
            probe(matrices, m -> m.reachability().mismatches());
        }
        return allRight(matrices);
    }

    /** Probes the given cells of each matrix, all at once, and records the results. */
    public void probe(List<Matrix> matrices, Function<Matrix, List<Reachability.Cell>> cells) throws InterruptedException {
        record Pending(Matrix matrix, Future<ProbeResult> result) {
        }
        List<Pending> pending = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Matrix matrix : matrices) {
                for (Reachability.Cell cell : cells.apply(matrix)) {
                    pending.add(new Pending(matrix, threads.submit(
                            () -> probe(cell.from(), cell.to(), matrix.port(), matrix.protocol()))));
                }
            }
        } // waits for every probe
        for (Pending p : pending) {
            try {
                p.matrix().record(p.result().get());
            } catch (ExecutionException e) {
                throw new LabException("probe failed in " + p.matrix().name(), e.getCause());
            }
        }
    }

    private static boolean allRight(List<Matrix> matrices) {
        return matrices.stream().allMatch(Matrix::isRight);
    }

    private static List<Reachability.Cell> allCells(Reachability reachability) {
        List<Reachability.Cell> cells = new ArrayList<>();
        for (String from : reachability.pods()) {
            for (String to : reachability.pods()) cells.add(new Reachability.Cell(from, to));
        }
        return cells;
    }
}
