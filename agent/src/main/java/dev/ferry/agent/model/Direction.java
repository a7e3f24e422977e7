package dev.ferry.agent.model;

/** A NetworkPolicy direction, seen from the selected pod: traffic into it, or out of it. */
public enum Direction {
    INGRESS, EGRESS;

    /** Kubernetes spelling in policyTypes: "Ingress", "Egress". */
    public String kubernetesName() {
        return this == INGRESS ? "Ingress" : "Egress";
    }
}
