package dev.ferry.bench.packet;

import dev.ferry.agent.datapath.abi.CtKey;
import dev.ferry.agent.datapath.abi.CtValue;
import dev.ferry.bpf.TypedMap;

import java.util.ArrayList;
import java.util.List;

/**
 * Flows set up by their SYNs, whose ACKs are then measured in turn. Counters alone can not tell
 * an established hit from a new flow (both count a DNAT), so after every measured run each
 * flow's forward conntrack entry must still hold the backend and SNAT port its SYN got. An ACK
 * taken for a new flow would have rewritten the entry: through XDP with another SNAT port (the
 * old one is held by the flow's own reply entry), through TC with a random backend, the same one
 * for 1 flow in 10 only.
 * <p>
 * <b>Refreshed.</b> A packet moves a flow's two deadlines only once they would move by
 * {@link #REFRESH_NS} (bpf/src/conntrack.h, CT_REFRESH_NS), so a run shorter than that may
 * rightly leave them alone. Set-up therefore waits past it after the SYNs and sends every ACK
 * once, unmeasured: both entries of every flow must have moved on by at least that much. After
 * each measured run, both entries' deadlines must be no older than the granularity allows:
 * at least the run's start + the timeout - {@link #REFRESH_NS} (less a tick of the datapath's
 * clock), the timeout taken as no more than what the set-up's ACKs left (deadline - the time
 * they were done). That can only fail for a run that starts more than the granularity after
 * the set-up (FULL's longer trials).
 */
final class EstablishedFlows {
    /** CT_REFRESH_NS: deadlines move in steps of at least this much. */
    static final long REFRESH_NS = 1_000_000_000L;
    private static final long PAST_REFRESH_MS = REFRESH_NS / 1_000_000 + 100;
    /** The datapath's clock (bpf/src/clock.h) is System.nanoTime()'s as of the last tick, up to a tick behind. */
    private static final long CLOCK_LAG_NS = 20_000_000L;

    private final Flows.Batch acks;
    private final TypedMap<CtKey, CtValue> conntrack;
    private final List<CtValue> entries;
    /** Per flow: a lower bound of the conntrack timeout, from the set-up's refresh. */
    private final long[] timeoutAtLeast;

    private EstablishedFlows(Flows.Batch acks, TypedMap<CtKey, CtValue> conntrack, List<CtValue> entries,
                             long[] timeoutAtLeast) {
        this.acks = acks;
        this.conntrack = conntrack;
        this.entries = entries;
        this.timeoutAtLeast = timeoutAtLeast;
    }

    /**
     * Sends the SYNs of every set through {@code path}, and once the granularity has passed
     * their ACKs, checking that those refreshed both entries of every flow.
     */
    static List<EstablishedFlows> setUp(LoopPath path, TypedMap<CtKey, CtValue> conntrack, Flows.Established... sets) {
        List<List<CtValue[]>> created = new ArrayList<>();
        for (Flows.Established set : sets) {
            path.send(set.syns());
            created.add(pairs(conntrack, set.acks()));
        }
        try {
            Thread.sleep(PAST_REFRESH_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted setting up established flows", e);
        }
        for (Flows.Established set : sets) path.send(set.acks());
        long refreshed = System.nanoTime(); // CLOCK_MONOTONIC, the datapath's clock too
        List<EstablishedFlows> out = new ArrayList<>();
        for (int s = 0; s < sets.length; s++) {
            Flows.Batch acks = sets[s].acks();
            List<CtValue[]> now = pairs(conntrack, acks);
            List<CtValue> forward = new ArrayList<>();
            long[] timeout = new long[acks.cycle()];
            for (int i = 0; i < acks.cycle(); i++) {
                CtValue[] was = created.get(s).get(i), is = now.get(i);
                for (int d = 0; d < 2; d++) {
                    if (!sameFlow(was[d], is[d]) || is[d].expiresNs() - was[d].expiresNs() < REFRESH_NS) {
                        throw new IllegalStateException("established flow " + acks.forwardKey(i) + ": an ACK "
                                + PAST_REFRESH_MS + " ms after its SYN took entry " + was[d] + " to " + is[d]
                                + ", not the same flow refreshed");
                    }
                }
                forward.add(is[0]);
                timeout[i] = is[0].expiresNs() - refreshed;
            }
            out.add(new EstablishedFlows(acks, conntrack, forward, timeout));
        }
        return out;
    }

    Flows.Batch acks() {
        return acks;
    }

    /** After a run that began at {@code runStart} (System.nanoTime()), of at least one repetition per flow. */
    void checkHitAndKept(long runStart) {
        List<CtValue[]> now = pairs(conntrack, acks);
        for (int i = 0; i < now.size(); i++) {
            CtValue was = entries.get(i);
            long oldest = runStart - CLOCK_LAG_NS + timeoutAtLeast[i] - REFRESH_NS;
            CtValue[] is = now.get(i);
            if (!sameFlow(was, is[0])) {
                throw new IllegalStateException("established flow " + acks.forwardKey(i) + " went from " + was + " to "
                        + is[0] + ": not every ACK took the established path");
            }
            for (CtValue entry : is) {
                if (entry.expiresNs() < oldest) {
                    throw new IllegalStateException("established flow " + acks.forwardKey(i) + ": deadline of " + entry
                            + " older than " + oldest + ", the run did not refresh it");
                }
            }
        }
    }

    /** Each flow's forward and reply entries. */
    private static List<CtValue[]> pairs(TypedMap<CtKey, CtValue> conntrack, Flows.Batch acks) {
        List<CtValue[]> pairs = new ArrayList<>(acks.cycle());
        for (int i = 0; i < acks.cycle(); i++) {
            CtValue forward = LoopPath.forwardEntry(conntrack, acks, i);
            CtKey key = replyKey(acks.forwardKey(i), forward);
            CtValue reply = conntrack.get(key).orElseThrow(() -> new IllegalStateException("no reply entry " + key));
            pairs.add(new CtValue[]{forward, reply});
        }
        return pairs;
    }

    /** ct_reply_key (bpf/src/conntrack.h) for the flows measured here: plain, or SNATed (no hairpin). */
    private static CtKey replyKey(CtKey forward, CtValue v) {
        boolean snat = (v.flags() & CtValue.F_SNAT) != 0;
        return new CtKey(v.natAddress(), snat ? v.peerAddress() : forward.saddr(), v.natPort(),
                snat ? v.peerPort() : forward.sport(), forward.protocol(), true);
    }

    private static boolean sameFlow(CtValue a, CtValue b) {
        return a.natAddress().equals(b.natAddress()) && a.natPort() == b.natPort() && a.flags() == b.flags()
                && a.backendId() == b.backendId() && a.peerAddress().equals(b.peerAddress()) && a.peerPort() == b.peerPort();
    }
}
