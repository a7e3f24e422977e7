package dev.ferry.agent.model;

/** A port of an EndpointSlice: the resolved target port of the service port with the same name. */
public record EndpointPort(String name, int port, Protocol protocol) {
}
