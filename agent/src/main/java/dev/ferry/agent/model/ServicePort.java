package dev.ferry.agent.model;

/**
 * One port of a Service; {@code name} is "" for the single unnamed port, {@code nodePort} 0
 * unless the service is of type NodePort or LoadBalancer and has one allocated.
 */
public record ServicePort(String name, int port, Protocol protocol, int nodePort) {
    public ServicePort(String name, int port, Protocol protocol) {
        this(name, port, protocol, 0);
    }
}
