package dev.ferry.agent.datapath.abi;

/**
 * enum ferry_reason: why the datapath did what it did; the index into counters_v1.
 * AbiLayoutTest checks names and values against the BTF enum.
 */
public enum Reason {
    PASS, DNAT, REVNAT, REJECT_NO_BACKEND, DROP_MALFORMED, DROP_NO_SLOT, DROP_CT_FULL, FRAG_UNKNOWN,
    DROP_REJECT_FAILED, DROP_REWRITE_FAILED, DROP_NO_LOCAL_BACKEND,
    REJECT_NO_PORT, DROP_UNALLOCATED_VIP, DROP_SOURCE_RANGE, DROP_NO_SNAT_PORT, DROP_NO_ROUTE,
    DROP_TTL_EXCEEDED, DROP_POLICY_EGRESS, DROP_POLICY_INGRESS;

    /** The C enumerator name, e.g. REASON_DROP_MALFORMED. */
    public String cName() {
        return "REASON_" + name();
    }
}
