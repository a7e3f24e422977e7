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
 * Values that change without the reconciler: the datapath's per-CPU packet counters and the
 * sources' count of invalid objects. A timer thread copies them into the registry every few
 * seconds, so a scrape reads the last copy instead of walking kernel maps.
 */
public final class DatapathMetrics implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DatapathMetrics.class.getName());

    private final Supplier<Map<Reason, Counter>> counters;
    private final IntSupplier invalidObjects;
    private final LabeledSamples packets;
    private final LabeledSamples bytes;
    private final Gauge invalid;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("metrics-poller").daemon().unstarted(r));

    /** @param counters counters_v1 summed over CPUs, as {@link dev.ferry.agent.datapath.Datapath#counters()} */
    public DatapathMetrics(MetricRegistry registry, Supplier<Map<Reason, Counter>> counters, IntSupplier invalidObjects) {
        this.counters = counters;
        this.invalidObjects = invalidObjects;
        packets = registry.labeledCounter("ferry_datapath_packets_total", "Packets the datapath handled, by verdict reason", "reason");
        bytes = registry.labeledCounter("ferry_datapath_bytes_total", "Bytes the datapath handled, by verdict reason", "reason");
        invalid = registry.gauge("ferry_invalid_objects", "Services and EndpointSlices currently skipped as invalid");
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
