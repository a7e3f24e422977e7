package dev.ferry.agent.lab;

/**
 * How an attempt to reach a service ended, as a kube-proxy user tells them apart: a rejected
 * Service (no endpoints) must be REFUSED, never a TIMEOUT (a silent black hole).
 */
public enum Outcome {
    /** TCP connected and got a reply line, or UDP got a reply datagram. */
    OK,
    /** TCP RST or ICMP port unreachable. */
    REFUSED,
    /** No answer at all within the timeout. */
    TIMEOUT,
    /** ICMP host or network unreachable, or no route. */
    UNREACHABLE
}
