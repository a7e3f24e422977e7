package dev.ferry.agent.metrics;

import dev.ferry.agent.datapath.abi.Counter;
import dev.ferry.agent.datapath.abi.Reason;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Values read from the kernel or the sources: the datapath's per-CPU packet counters, the entry
 * counts and capacities of the agent's maps, and the sources' count of invalid objects. A timer
 * thread copies them into the registry every few seconds, so neither a scrape nor the writer
 * thread ever walks a kernel map for metrics.
 */
public final class DatapathMetrics implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DatapathMetrics.class.getName());

    private final Supplier<Map<Reason, Counter>> counters;
    private final IntSupplier invalidObjects;
    private final Supplier<Map<String, int[]>> mapUsage;
    private final LabeledSamples packets;
    private final LabeledSamples bytes;
    private final Gauge invalid;
    private final LabeledSamples mapEntries;
    private final LabeledSamples mapCapacity;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("metrics-poller").daemon().unstarted(r));

    /**
     * @param counters counters_v1 summed over CPUs, as {@link dev.ferry.agent.datapath.Datapath#counters()}
     * @param mapUsage map name → {entries, capacity}, as {@link dev.ferry.agent.reconcile.Reconciler#usage()}
     */
    public DatapathMetrics(MetricRegistry registry, Supplier<Map<Reason, Counter>> counters, IntSupplier invalidObjects,
                           Supplier<Map<String, int[]>> mapUsage) {
        this.counters = counters;
        this.invalidObjects = invalidObjects;
        this.mapUsage = mapUsage;
        packets = registry.labeledCounter("ferry_datapath_packets_total", "Packets the datapath handled, by verdict reason", "reason");
        bytes = registry.labeledCounter("ferry_datapath_bytes_total", "Bytes the datapath handled, by verdict reason", "reason");
        invalid = registry.gauge("ferry_invalid_objects", "Services and EndpointSlices currently skipped as invalid");
        mapEntries = registry.labeledGauge("ferry_map_entries", "Entries in a BPF map written by the agent", "map");
        mapCapacity = registry.labeledGauge("ferry_map_capacity", "Maximum entries of a BPF map written by the agent", "map");
    }

    /** Reads once now (so the first scrape has values), then every {@code period}. */
    public DatapathMetrics start(Duration period) {
        refresh();
        timer.scheduleWithFixedDelay(this::refresh, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    void refresh() {
        try {
            counters.get().forEach((reason, c) -> {
                packets.set(reason.name(), c.packets());
                bytes.set(reason.name(), c.bytes());
            });
            invalid.set(invalidObjects.getAsInt());
            mapUsage.get().forEach((map, usage) -> {
                mapEntries.set(map, usage[0]);
                mapCapacity.set(map, usage[1]);
            });
        } catch (RuntimeException e) {
            // A failing read must not end the timer; the next period tries again.
            LOG.log(System.Logger.Level.WARNING, "reading datapath counters: {0}", e.getMessage());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
