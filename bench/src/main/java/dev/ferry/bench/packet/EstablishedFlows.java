package dev.ferry.bench.packet;

import dev.ferry.agent.datapath.abi.CtKey;
import dev.ferry.agent.datapath.abi.CtValue;
import dev.ferry.bpf.TypedMap;

import java.util.ArrayList;
import java.util.List;

/**
 * Flows set up by their SYNs, whose ACKs are then measured in turn. Counters alone can not tell
 * an established hit from a new flow (both count a DNAT), so after every measured run each
 * flow's forward conntrack entry must still hold the backend and SNAT port its SYN got, and
 * must have been refreshed (its deadline moved on). An ACK taken for a new flow would have
 * rewritten the entry: through XDP with another SNAT port (the old one is held by the flow's own
 * reply entry), through TC with a random backend, the same one for 1 flow in 10 only.
 */
final class EstablishedFlows {
    private final Flows.Batch acks;
    private final TypedMap<CtKey, CtValue> conntrack;
    private List<CtValue> entries;

    private EstablishedFlows(Flows.Batch acks, TypedMap<CtKey, CtValue> conntrack) {
        this.acks = acks;
        this.conntrack = conntrack;
        this.entries = read();
    }

    /** Sends the SYNs through {@code path} and records the entries they made. */
    static EstablishedFlows setUp(LoopPath path, Flows.Established flows, TypedMap<CtKey, CtValue> conntrack) {
        path.send(flows.syns());
        return new EstablishedFlows(flows.acks(), conntrack);
    }

    Flows.Batch acks() {
        return acks;
    }

    private List<CtValue> read() {
        List<CtValue> values = new ArrayList<>(acks.cycle());
        for (int i = 0; i < acks.cycle(); i++) values.add(LoopPath.forwardEntry(conntrack, acks, i));
        return values;
    }

    /** After a run of at least one repetition per flow: every flow was hit as established. */
    void checkHitAndKept() {
        List<CtValue> now = read();
        for (int i = 0; i < now.size(); i++) {
            CtValue was = entries.get(i), is = now.get(i);
            if (!sameFlow(was, is) || is.expiresNs() <= was.expiresNs()) {
                throw new IllegalStateException("established flow " + acks.forwardKey(i) + " went from " + was + " to " + is
                        + ": not every ACK took the established path");
            }
        }
        entries = now;
    }

    private static boolean sameFlow(CtValue a, CtValue b) {
        return a.natAddress().equals(b.natAddress()) && a.natPort() == b.natPort() && a.flags() == b.flags()
                && a.backendId() == b.backendId() && a.peerAddress().equals(b.peerAddress()) && a.peerPort() == b.peerPort();
    }
}
