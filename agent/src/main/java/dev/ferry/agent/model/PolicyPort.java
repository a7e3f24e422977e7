package dev.ferry.agent.model;

/** One entry of a NetworkPolicy rule's ports; the protocol defaults to TCP in the converter. */
public sealed interface PolicyPort permits PolicyPort.All, PolicyPort.Range, PolicyPort.Named {
    Protocol protocol();

    /** A protocol without a port: every port of it. */
    record All(Protocol protocol) implements PolicyPort {
    }

    /** port, or port..endPort. */
    record Range(Protocol protocol, int first, int last) implements PolicyPort {
        public Range {
            if (first < 1 || last > 65535 || first > last) throw new IllegalArgumentException("port range " + first + "-" + last);
        }
    }

    /** A container port's name: resolved against the pod that receives the traffic. */
    record Named(Protocol protocol, String name) implements PolicyPort {
    }
}
