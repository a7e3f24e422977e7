package dev.ferry.agent.model;

/** L4 protocols a Service port can name, with their IANA numbers as the datapath keys them. */
public enum Protocol {
    TCP(6), UDP(17), SCTP(132);

    private final int number;

    Protocol(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }

    public static Protocol fromNumber(int number) {
        for (Protocol p : values()) {
            if (p.number == number) return p;
        }
        throw new IllegalArgumentException("unknown IP protocol " + number);
    }

    /** Kubernetes spelling; an absent protocol means TCP. */
    public static Protocol parse(String name) {
        if (name == null || name.isEmpty()) return TCP;
        return switch (name) {
            case "TCP" -> TCP;
            case "UDP" -> UDP;
            case "SCTP" -> SCTP;
            default -> throw new IllegalArgumentException("unknown protocol '" + name + "'");
        };
    }
}
