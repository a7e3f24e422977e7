package dev.ferry.agent.datapath;

import dev.ferry.agent.datapath.abi.EndpointValue;
import dev.ferry.agent.datapath.abi.IpcacheValue;
import dev.ferry.agent.datapath.abi.PolicyKey;
import dev.ferry.agent.model.Cidr;

import java.net.Inet4Address;

/**
 * ipcache_v1, endpoints_v1 and policy_v1 in the agent's vocabulary; the policy reconciler is
 * their only writer.
 */
public record PolicyMaps(MapTable<Cidr, IpcacheValue> ipcache, MapTable<Inet4Address, EndpointValue> endpoints,
                         MapTable<PolicyKey, Integer> rules) {
    /** policy_v1's value: present means allowed. */
    public static final int ALLOW = 1;
}
