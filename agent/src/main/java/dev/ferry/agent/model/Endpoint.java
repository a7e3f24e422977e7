package dev.ferry.agent.model;

import java.net.Inet4Address;

/** One address of an EndpointSlice endpoint with its conditions (unset conditions mean true). */
public record Endpoint(Inet4Address address, boolean ready, boolean serving, boolean terminating, String nodeName) {
}
