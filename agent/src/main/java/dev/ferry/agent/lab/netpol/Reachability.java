package dev.ferry.agent.lab.netpol;

import java.util.ArrayList;
import java.util.List;

/**
 * What should connect and what did, between every ordered pair of pods, modelled on upstream's
 * {@code test/e2e/network/netpol/reachability.go}: start from a default, then narrow with
 * {@link #expect}, {@link #expectPeer}, {@link #expectAllIngress} and {@link #expectAllEgress}
 * in order (later calls win), and finish with {@link #allowLoopback()}.
 *
 * <p>Unlike upstream, which ignores loopback cells, a pod reaching its own IP is expected to
 * work and checked: the packet never leaves the pod's namespace, so no policy can see it.
 */
public final class Reachability {
    private final List<String> pods;
    private final TruthTable expected;
    private final TruthTable observed;

    /** @param pods "x/a" strings, the rows and the columns alike */
    public Reachability(List<String> pods, boolean defaultExpectation) {
        pods.forEach(PodStrings::split);
        this.pods = List.copyOf(pods);
        this.expected = new TruthTable(pods, pods, defaultExpectation);
        this.observed = new TruthTable(pods, pods, null);
    }

    public List<String> pods() {
        return pods;
    }

    public TruthTable expected() {
        return expected;
    }

    public TruthTable observed() {
        return observed;
    }

    public Reachability expect(String from, String to, boolean connected) {
        expected.set(from, to, connected);
        return this;
    }

    /** Every pod matching {@code from} to every pod matching {@code to}. */
    public Reachability expectPeer(Peer from, Peer to, boolean connected) {
        for (String f : pods) {
            if (!from.matches(f)) continue;
            for (String t : pods) {
                if (to.matches(t)) expected.set(f, t, connected);
            }
        }
        return this;
    }

    /** Everything into {@code pod}. */
    public Reachability expectAllIngress(String pod, boolean connected) {
        expected.setAllTo(pod, connected);
        return this;
    }

    /** Everything out of {@code pod}. */
    public Reachability expectAllEgress(String pod, boolean connected) {
        expected.setAllFrom(pod, connected);
        return this;
    }

    /** Every pod reaches itself; call it last. */
    public Reachability allowLoopback() {
        pods.forEach(pod -> expected.set(pod, pod, true));
        return this;
    }

    public void observe(String from, String to, boolean connected) {
        observed.set(from, to, connected);
    }

    /** One ordered pair of pods. */
    public record Cell(String from, String to) {
    }

    /** Cells observed otherwise than expected, or not observed yet. */
    public List<Cell> mismatches() {
        List<Cell> wrong = new ArrayList<>();
        for (String from : pods) {
            for (String to : pods) {
                if (!isRight(from, to)) wrong.add(new Cell(from, to));
            }
        }
        return wrong;
    }

    public boolean isRight(String from, String to) {
        Boolean seen = observed.get(from, to);
        return seen != null && seen.equals(expected.get(from, to));
    }

    /** Upstream's summary: counts, then the expected and observed tables with wrong cells marked '!'. */
    public String summary() {
        int wrong = mismatches().size();
        return "reachability: correct:" + (pods.size() * pods.size() - wrong) + ", incorrect:" + wrong
                + ", result=" + (wrong == 0) + "\n\nexpected:\n\n" + expected.print("", (f, t) -> !isRight(f, t))
                + "\n\nobserved:\n\n" + observed.print("", (f, t) -> !isRight(f, t)) + "\n";
    }
}
