package dev.ferry.agent.model;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A networking.k8s.io/v1 NetworkPolicy.
 *
 * @param podSelector the pods of {@code namespace} it applies to ({@code {}}: all of them)
 * @param policyTypes spec.policyTypes as written; empty when absent (see {@link #effectiveTypes()})
 */
public record NetworkPolicy(String namespace, String name, LabelSelector podSelector, Set<Direction> policyTypes,
                            List<PolicyRule> ingress, List<PolicyRule> egress) {
    public NetworkPolicy {
        policyTypes = policyTypes.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(policyTypes));
        ingress = List.copyOf(ingress);
        egress = List.copyOf(egress);
    }

    /**
     * The directions this policy isolates the pods it selects in: policyTypes as written, or,
     * as the API server defaults them, Ingress always and Egress when there are egress rules.
     */
    public Set<Direction> effectiveTypes() {
        if (!policyTypes.isEmpty()) return EnumSet.copyOf(policyTypes);
        return egress.isEmpty() ? EnumSet.of(Direction.INGRESS) : EnumSet.allOf(Direction.class);
    }

    public boolean selects(Pod pod) {
        return pod.namespace().equals(namespace) && podSelector.matches(pod.labels());
    }

    public List<PolicyRule> rules(Direction direction) {
        return direction == Direction.INGRESS ? ingress : egress;
    }
}
