package dev.ferry.sys;

import java.net.Inet4Address;

/**
 * Where the kernel sends a packet for one destination, as {@code ip route get DST} shows it.
 *
 * @param oif             the outgoing interface's ifindex
 * @param gateway         the next hop, or null when the destination is on-link (its own next hop)
 * @param preferredSource the source address the kernel would pick, or null when it names none
 */
public record Route(int oif, Inet4Address gateway, Inet4Address preferredSource) {
}
