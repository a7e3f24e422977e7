package dev.ferry.agent.metrics;

import dev.ferry.agent.datapath.abi.DropEvent;
import dev.ferry.agent.datapath.abi.Reason;
import dev.ferry.agent.model.PodName;
import dev.ferry.agent.translate.policy.Identity;

import java.net.Inet4Address;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Turns drop events into log lines and metrics an operator can act on: both ends named as pods
 * where they are pods, the peer's identity (its labels), the direction. Policy drops are logged
 * at INFO, at most {@link #LINES_PER_SECOND} a second (a flood is summarised, never written out
 * line by line), and counted per local pod in ferry_policy_drops_total{pod="ns/name ingress"}.
 * Rejects are logged at DEBUG: counters_v1 already counts them.
 */
public final class DropEventLog implements Consumer<DropEvent> {
    private static final System.Logger LOG = System.getLogger(DropEventLog.class.getName());
    static final int LINES_PER_SECOND = 20;

    /** What names addresses and identity numbers; the reconcile loop publishes one after each pass. */
    public record Names(Map<Inet4Address, PodName> pods, Map<Integer, Identity> identities) {
        public static final Names NONE = new Names(Map.of(), Map.of());
    }

    private final LabeledSamples drops;
    private volatile Names names = Names.NONE;
    private long windowStart = System.nanoTime();
    private int linesInWindow;
    private int suppressed;

    public DropEventLog(MetricRegistry registry) {
        drops = registry.labeledCounter("ferry_policy_drops_total",
                "New flows NetworkPolicy dropped, by local pod and direction", "pod");
    }

    public void publish(Names names) {
        this.names = names;
    }

    @Override
    public void accept(DropEvent e) {
        boolean ingress = e.reason() == Reason.DROP_POLICY_INGRESS;
        if (!ingress && e.reason() != Reason.DROP_POLICY_EGRESS) {
            LOG.log(System.Logger.Level.DEBUG, () -> "rejected: " + flow(e));
            return;
        }
        Inet4Address local = ingress ? e.daddr() : e.saddr();
        drops.add(name(local) + (ingress ? " ingress" : " egress"), 1);
        if (allowLine()) {
            Identity peer = names.identities().get(e.identity());
            LOG.log(System.Logger.Level.INFO, "policy drop {0}: {1}, peer identity {2}", ingress ? "ingress" : "egress",
                    flow(e), peer == null ? e.identity() : peer.key());
        }
    }

    /** "x/a 10.244.1.10:41000 -> y/b 10.244.2.20:80 TCP" */
    String flow(DropEvent e) {
        return name(e.saddr()) + " " + e.saddr().getHostAddress() + ":" + e.sport() + " -> " + name(e.daddr()) + " "
                + e.daddr().getHostAddress() + ":" + e.dport() + " " + protocol(e.protocol());
    }

    private String name(Inet4Address address) {
        PodName pod = names.pods().get(address);
        return pod == null ? "(no pod)" : pod.toString();
    }

    private static String protocol(int number) {
        return switch (number) {
            case 1 -> "ICMP";
            case 6 -> "TCP";
            case 17 -> "UDP";
            case 132 -> "SCTP";
            default -> "proto " + number;
        };
    }

    /** Runs on the one event thread: no locking. */
    private boolean allowLine() {
        long now = System.nanoTime();
        if (now - windowStart >= 1_000_000_000L) {
            if (suppressed > 0) LOG.log(System.Logger.Level.INFO, "{0} more policy drops not logged", suppressed);
            windowStart = now;
            linesInWindow = 0;
            suppressed = 0;
        }
        if (linesInWindow < LINES_PER_SECOND) {
            linesInWindow++;
            return true;
        }
        suppressed++;
        return false;
    }
}
