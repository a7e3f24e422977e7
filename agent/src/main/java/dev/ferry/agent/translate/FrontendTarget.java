package dev.ferry.agent.translate;

import dev.ferry.agent.model.ServiceName;

import java.util.List;

/**
 * The backends one frontend balances over, in a stable order, and the service port it belongs
 * to (for logs and metrics). An empty list means the service has no endpoints: reject.
 */
public record FrontendTarget(ServiceName service, String portName, List<Backend> backends) {
    public FrontendTarget {
        backends = List.copyOf(backends);
    }
}
