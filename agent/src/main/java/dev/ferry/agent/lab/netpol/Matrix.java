package dev.ferry.agent.lab.netpol;

import dev.ferry.agent.model.Protocol;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Every pod to every pod on one port and protocol: the expectation, and what the
 * {@link Prober} saw last for each cell.
 */
public final class Matrix {
    /** Wrong cells listed one by one in a report; the tables show them all. */
    private static final int LISTED = 12;

    private final int port;
    private final Protocol protocol;
    private final Reachability reachability;
    private final Map<Reachability.Cell, ProbeResult> last = new LinkedHashMap<>();

    public Matrix(int port, Protocol protocol, Reachability reachability) {
        this.port = port;
        this.protocol = protocol;
        this.reachability = reachability;
    }

    public int port() {
        return port;
    }

    public Protocol protocol() {
        return protocol;
    }

    public Reachability reachability() {
        return reachability;
    }

    /** "80/TCP". */
    public String name() {
        return port + "/" + protocol;
    }

    void record(ProbeResult result) {
        last.put(new Reachability.Cell(result.from(), result.to()), result);
        reachability.observe(result.from(), result.to(), result.connected());
    }

    public boolean isRight() {
        return reachability.mismatches().isEmpty();
    }

    /** The slowest connected probe of the last round, zero if none connected. */
    public Duration slowestConnected() {
        return last.values().stream().filter(ProbeResult::connected).map(ProbeResult::took)
                .max(Duration::compareTo).orElse(Duration.ZERO);
    }

    /** The truth tables, the last probe of every wrong cell, and right cells that were blocked loudly. */
    public String report() {
        StringBuilder out = new StringBuilder("port ").append(name()).append(": ").append(reachability.summary());
        List<ProbeResult> wrong = reachability.mismatches().stream().map(last::get).filter(Objects::nonNull).toList();
        if (!wrong.isEmpty()) {
            out.append("\nwrong cells, last probe:\n").append(wrong.stream().limit(LISTED).map(r -> "  " + r)
                    .collect(Collectors.joining("\n"))).append('\n');
            if (wrong.size() > LISTED) out.append("  (").append(wrong.size() - LISTED).append(" more)\n");
        }
        String loud = last.values().stream().filter(r -> r.unusual() && reachability.isRight(r.from(), r.to()))
                .map(r -> "  " + r).collect(Collectors.joining("\n"));
        if (!loud.isEmpty()) out.append("\nblocked, but not by a drop:\n").append(loud).append('\n');
        return out.toString();
    }
}
