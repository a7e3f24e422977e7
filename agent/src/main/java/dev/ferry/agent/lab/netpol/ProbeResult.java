package dev.ferry.agent.lab.netpol;

import dev.ferry.agent.lab.Outcome;
import dev.ferry.agent.model.Protocol;

import java.time.Duration;

/**
 * One request from a pod to another pod's IP and how it ended.
 *
 * @param answeredBy the name in the echo's answer ("x/a"), null without an answer
 */
public record ProbeResult(String from, String to, int port, Protocol protocol, Outcome outcome, String answeredBy,
                          Duration took) {
    /** Connected means the pod we dialled answered; an answer from any other pod is not it. */
    public boolean connected() {
        return outcome == Outcome.OK && to.equals(answeredBy);
    }

    /**
     * Neither the right answer nor silence: a reset or ICMP error (a datapath that rejects rather
     * than drops, or a server that is not listening) or an answer from the wrong pod.
     */
    public boolean unusual() {
        return outcome == Outcome.REFUSED || outcome == Outcome.UNREACHABLE || (outcome == Outcome.OK && !connected());
    }

    @Override
    public String toString() {
        return from + " -> " + to + " " + port + "/" + protocol + ": " + outcome
                + (outcome == Outcome.OK ? " from " + answeredBy : "") + " in " + took.toMillis() + " ms";
    }
}
