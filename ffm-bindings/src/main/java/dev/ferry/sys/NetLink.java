package dev.ferry.sys;

/**
 * One network device as RTM_GETLINK reports it.
 *
 * @param index ifindex, what TC and XDP attach to
 * @param up    administratively up (IFF_UP)
 * @param kind  IFLA_INFO_KIND ("veth", "bridge", ...), or null for devices without one (lo, physical NICs)
 */
public record NetLink(int index, String name, boolean up, String kind) {
}
