package dev.ferry.agent.model;

/** One port of a Service; {@code name} is "" for the single unnamed port. */
public record ServicePort(String name, int port, Protocol protocol) {
}
