package dev.ferry.agent.translate.policy;

import dev.ferry.agent.model.PodName;

/**
 * A pod on this node and the directions policies isolate it in. A direction no policy covers
 * allows everything; the datapath still tracks the pod's flows, so replies pass an isolated
 * other direction.
 */
public record EndpointPolicy(PodName pod, boolean ingressIsolated, boolean egressIsolated) {
}
