package dev.ferry.sys;

import java.net.Inet4Address;

/**
 * A neighbor (ARP) entry with NTF_EXT_MANAGED: the kernel resolves it without traffic and keeps
 * refreshing it, so that bpf_fib_lookup finds the next hop's MAC address.
 *
 * @param ifindex      the interface it is on
 * @param state        where the kernel's resolution stands
 * @param ownedByFerry true when Ferry created it ({@link Netlink#keepNeighborResolved}): it carries
 *                     Ferry's NDA_PROTOCOL, so {@code ip neigh} shows it with {@code proto 70}
 */
public record ManagedNeighbor(int ifindex, Inet4Address address, State state, boolean ownedByFerry) {
    /** The NUD_* states of linux/neighbour.h; an entry is in one at a time. */
    public enum State {
        NONE(0x00), INCOMPLETE(0x01), REACHABLE(0x02), STALE(0x04), DELAY(0x08), PROBE(0x10), FAILED(0x20),
        NOARP(0x40), PERMANENT(0x80);

        private final int nud;

        State(int nud) {
            this.nud = nud;
        }

        /** The state for an ndm_state value; should the kernel ever combine bits, the lowest one. */
        static State of(int nud) {
            for (State state : values()) {
                if (state.nud == Integer.lowestOneBit(nud)) {
                    return state;
                }
            }
            throw new IllegalArgumentException("unknown neighbor state 0x" + Integer.toHexString(nud));
        }
    }
}
