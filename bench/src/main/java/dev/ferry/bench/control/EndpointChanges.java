package dev.ferry.bench.control;

import dev.ferry.agent.Agent;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * One endpoint change at a time through the API: endpoint 0 of a service's slice moves to its
 * spare address (or back), and the change is timed until the pinned maps route the service to
 * the new address and no longer to the old one: from just before the client's API call, and
 * from the moment the API server took the update up (before it stored it and told its
 * watchers), which is when the change exists; the mock server's answer to the client takes
 * milliseconds that no watcher waits for. Services are visited in a scattered order, so
 * consecutive changes touch unrelated services.
 */
final class EndpointChanges implements AutoCloseable {
    /** How often the maps are looked at while waiting: fine enough for ms, light on 2 cores. */
    private static final long POLL_NANOS = 100_000;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /**
     * Between changes, so each is a change after a quiet moment, as most real ones are: longer
     * than the agent's coalescing window, within which a change waits for the burst it may belong to.
     */
    private static final Duration PAUSE = Agent.COALESCE.plusMillis(10);
    /** Between scrapes of the agent's /metrics while its pass ends. */
    private static final Duration SCRAPE_PAUSE = Duration.ofMillis(5);

    private final KubernetesClient client;
    private final ExecutorService caller = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("api-call").factory());
    private final LongSupplier updateTakenNanos;
    private final LongSupplier deliveredNanos;
    private final Workload workload;
    /** The slice each service has in the API server now (its resourceVersion is the next PUT's). */
    private final EndpointSlice[] current;
    private final boolean[] moved;
    private int next;
    /** The agent's pass count and summed time as last scraped: after one change, before the next. */
    private AgentRun.Programming programmed;

    /**
     * One change: from before the API call, from the API server taking it up, that split where
     * its watch event reached the node's namespace (the API server's part, and the rest: NaN if
     * no bytes reached the node in between), as the agent measured it (NaN if its pass could
     * not be told apart), and the API call.
     */
    record Timing(double endToEndMs, double fromServerMs, double watchEventMs, double afterEventMs, double agentMs,
                  double apiCallMs) {
    }

    /**
     * @param updateTakenNanos when the API server last took an update up (System.nanoTime())
     * @param deliveredNanos when bytes from the API server last reached the agent's namespace
     */
    EndpointChanges(KubernetesClient client, LongSupplier updateTakenNanos, LongSupplier deliveredNanos, Workload workload,
                    List<EndpointSlice> seeded) {
        this.client = client;
        this.updateTakenNanos = updateTakenNanos;
        this.deliveredNanos = deliveredNanos;
        this.workload = workload;
        this.current = seeded.toArray(EndpointSlice[]::new);
        this.moved = new boolean[seeded.size()];
    }

    List<Timing> run(int changes, AgentRun agent, PinnedServices maps) throws InterruptedException {
        List<Timing> out = new ArrayList<>(changes);
        programmed = agent.programming();
        for (int i = 0; i < changes; i++) {
            out.add(changeOne(agent, maps));
            Thread.sleep(PAUSE);
        }
        return out;
    }

    private Timing changeOne(AgentRun agent, PinnedServices maps) throws InterruptedException {
        int service = (int) ((next++ * 7919L + 13) % workload.services()); // 7919 is prime: no repeats within a run
        Inet4Address from = moved[service] ? Workload.spare(service) : Workload.endpoint(service, 0);
        Inet4Address to = moved[service] ? Workload.endpoint(service, 0) : Workload.spare(service);
        EndpointSlice change = workload.slice(service, !moved[service]);
        change.getMetadata().setResourceVersion(current[service].getMetadata().getResourceVersion());
        change.getMetadata().setUid(current[service].getMetadata().getUid());
        AgentRun.Programming before = programmed;
        Inet4Address vip = Workload.clusterIp(service);
        int[] idsBefore = maps.slotIds(vip, Workload.PORT);

        // The call runs on its own thread while this one watches the maps from the start: the
        // agent often has the change written before the mock's answer reaches the client.
        long start = System.nanoTime();
        CompletableFuture<Long> call = CompletableFuture.supplyAsync(() -> {
            current[service] = client.resource(change).update();
            return System.nanoTime();
        }, caller);
        // Only once its slots name other backends are those looked up.
        int[] ids;
        while (Arrays.equals(ids = maps.slotIds(vip, Workload.PORT), idsBefore) || !routesTo(ids, maps, to, from)) {
            if (System.nanoTime() - start > TIMEOUT.toNanos()) {
                throw new IllegalStateException("service " + service + " not moved to " + to + " within " + TIMEOUT
                        + "; maps hold " + (ids == null ? "no such service" : maps.addresses(ids)) + "\n" + agent.tail());
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
        long written = System.nanoTime();
        long delivered = deliveredNanos.getAsLong();
        long answered = answered(call);
        long taken = updateTakenNanos.getAsLong();
        if (taken < start || taken > answered) {
            throw new IllegalStateException("the API server took no update during the call for service " + service);
        }
        moved[service] = !moved[service];

        // The pass that wrote it reports once it ends; only a pass of its own measures this change
        // alone. The agent times its passes itself, so how often it is asked changes no number; but
        // a scrape costs it CPU: one right before each change and then one every millisecond took
        // as much of its CPU during the changes as the changes did (JFR, 300 changes, 2026-11-22).
        // Now it is asked every 5 ms until its pass has ended (mostly once), and that answer serves
        // as the next change's "before".
        AgentRun.Programming after;
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        do {
            Thread.sleep(SCRAPE_PAUSE);
            after = agent.programming();
        } while (after.count() == before.count() && System.nanoTime() < deadline);
        programmed = after;
        double agentMs = after.count() - before.count() == 1 ? (after.sumSeconds() - before.sumSeconds()) * 1e3 : Double.NaN;
        boolean eventSeen = delivered > taken && delivered <= written;
        return new Timing((written - start) / 1e6, (written - taken) / 1e6, eventSeen ? (delivered - taken) / 1e6 : Double.NaN,
                eventSeen ? (written - delivered) / 1e6 : Double.NaN, agentMs, (answered - start) / 1e6);
    }

    private static long answered(CompletableFuture<Long> call) {
        try {
            return call.get(TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the update failed", e.getCause());
        } catch (TimeoutException | InterruptedException e) {
            throw new IllegalStateException("the update did not return within " + TIMEOUT, e);
        }
    }

    @Override
    public void close() {
        caller.shutdownNow();
    }

    private static boolean routesTo(int[] ids, PinnedServices maps, Inet4Address to, Inet4Address from) {
        if (ids == null) return false;
        Set<Inet4Address> backends = maps.addresses(ids);
        return backends.contains(to) && !backends.contains(from) && backends.size() == Workload.ENDPOINTS;
    }
}
