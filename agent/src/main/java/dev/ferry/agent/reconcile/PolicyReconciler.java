package dev.ferry.agent.reconcile;

import dev.ferry.agent.datapath.PolicyMaps;
import dev.ferry.agent.datapath.abi.EndpointValue;
import dev.ferry.agent.datapath.abi.IpcacheValue;
import dev.ferry.agent.datapath.abi.PolicyKey;
import dev.ferry.agent.model.Cidr;
import dev.ferry.agent.model.Direction;
import dev.ferry.agent.translate.policy.EndpointPolicy;
import dev.ferry.agent.translate.policy.Identity;
import dev.ferry.agent.translate.policy.IpcacheEntry;
import dev.ferry.agent.translate.policy.PolicyEntry;
import dev.ferry.agent.translate.policy.PolicyState;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Numbers a {@link PolicyState}'s identities and endpoints and writes the difference into
 * ipcache_v1, endpoints_v1 and policy_v1, in an order that never denies what both the old and
 * the new state allow:
 * <ol>
 *   <li>new allow rules, before any address or endpoint can need them;</li>
 *   <li>ipcache entries, then endpoints (a newly isolated pod finds its rules in place);</li>
 *   <li>endpoints that are gone or no longer isolated, ipcache entries that are gone, then the
 *       rules nobody needs any more.</li>
 * </ol>
 * A write that fails (a full map) stops the pass before anything is removed or newly isolated:
 * what was programmed stays, and the next pass retries. Identity numbers are never reused within
 * a run; after a restart they are adopted from the ipcache, so nothing that is still right gets
 * rewritten and no flow sees a rule of another identity. One writer at a time
 * ({@link ReconcileLoop}) owns it.
 */
public final class PolicyReconciler {
    private static final System.Logger LOG = System.getLogger(PolicyReconciler.class.getName());

    private final PolicyMaps maps;
    private final Map<Identity, Integer> numbers = new HashMap<>();
    private final IdAllocator identityIds = new IdAllocator();
    private final EndpointIds endpointIds = new EndpointIds();
    private final Map<Cidr, IpcacheValue> ipcache = new HashMap<>();
    private final Map<Inet4Address, EndpointValue> endpoints = new HashMap<>();
    private final Set<PolicyKey> rules = new HashSet<>();
    /** The maps held state when the agent started: the first pass adopts its numbers. */
    private boolean adoptPending;
    /** The state the last pass applied without an error; the same instance again needs no pass. */
    private PolicyState lastApplied;
    /** Number -> identity as the last pass left them. */
    private Map<Integer, Identity> identities = Map.of();

    public PolicyReconciler(PolicyMaps maps) {
        this.maps = maps;
        identityIds.reserve(IpcacheValue.FIRST_ALLOCATED - 1);
        numbers.put(Identity.Reserved.ANY, IpcacheValue.ANY);
        numbers.put(Identity.Reserved.HOST, IpcacheValue.HOST);
        numbers.put(Identity.Reserved.WORLD, IpcacheValue.WORLD);
        readApplied();
        ipcache.values().forEach(v -> {
            identityIds.reserve(v.identity());
            identityIds.reserve(v.block());
        });
        rules.forEach(k -> identityIds.reserve(k.identity()));
        endpoints.values().forEach(v -> endpointIds.reserve(v.id()));
        adoptPending = !ipcache.isEmpty() || !endpoints.isEmpty() || !rules.isEmpty();
        if (adoptPending) {
            LOG.log(System.Logger.Level.INFO, "found {0} ipcache entries, {1} endpoints and {2} rules in the maps",
                    ipcache.size(), endpoints.size(), rules.size());
        }
    }

    private void readApplied() {
        ipcache.clear();
        ipcache.putAll(maps.ipcache().entries());
        endpoints.clear();
        endpoints.putAll(maps.endpoints().entries());
        rules.clear();
        rules.addAll(maps.rules().keys());
    }

    public PolicyApplyResult apply(PolicyState desired) {
        // The same instance as the last pass applied without errors: the compiler saw no change.
        if (desired == lastApplied) return new PolicyApplyResult(0, 0, 0, 0, 0, 0, List.of());
        lastApplied = null;
        endpointIds.startPass();
        if (adoptPending) adoptNumbers(desired);
        adoptPending = false;
        List<String> errors = new ArrayList<>();
        desired.identities().forEach(id -> numbers.computeIfAbsent(id, x -> identityIds.allocate()));
        Map<Cidr, IpcacheValue> wantIpcache = new HashMap<>();
        desired.ipcache().forEach((prefix, e) -> wantIpcache.put(prefix, number(e)));
        Map<Inet4Address, EndpointValue> wantEndpoints = new HashMap<>();
        for (var e : desired.endpoints().entrySet()) {
            EndpointValue applied = endpoints.get(e.getKey());
            try {
                int id = applied != null ? applied.id() : endpointIds.allocate();
                wantEndpoints.put(e.getKey(), endpoint(id, e.getValue()));
            } catch (IllegalStateException full) {
                errors.add(e.getValue().pod() + ": " + full.getMessage());
            }
        }
        Set<PolicyKey> wantRules = new HashSet<>();
        for (PolicyEntry entry : desired.entries()) {
            EndpointValue ep = wantEndpoints.get(entry.endpoint());
            if (ep != null) wantRules.addAll(keys(entry, ep.id()));
        }

        int[] written = new int[3];
        int[] removed = new int[3];
        try {
            written[0] = addRules(difference(wantRules, rules));
            written[1] = putChanged(wantIpcache, ipcache, maps.ipcache()::putAll);
            written[2] = putChanged(wantEndpoints, endpoints, maps.endpoints()::putAll);
        } catch (RuntimeException e) {
            errors.add("policy maps: " + e.getMessage() + "; nothing removed, retried with the next change");
            readApplied();
            errors.forEach(err -> LOG.log(System.Logger.Level.ERROR, "reconcile: {0}", err));
            return new PolicyApplyResult(written[0], 0, written[1], 0, written[2], 0, errors);
        }
        removed[2] = removeMissing(wantEndpoints.keySet(), endpoints, maps.endpoints()::removeAll, errors,
                gone -> endpointIds.release(gone.id()));
        removed[1] = removeMissing(wantIpcache.keySet(), ipcache, maps.ipcache()::removeAll, errors, gone -> { });
        Set<PolicyKey> staleRules = difference(rules, wantRules);
        try {
            maps.rules().removeAll(staleRules);
            rules.removeAll(staleRules);
            removed[0] = staleRules.size();
        } catch (RuntimeException e) {
            errors.add("removing policy rules: " + e.getMessage());
            readApplied();
        }
        numbers.keySet().retainAll(keepNumbered(desired));
        Map<Integer, Identity> byNumber = new HashMap<>();
        numbers.forEach((identity, number) -> byNumber.put(number, identity));
        identities = Collections.unmodifiableMap(byNumber);
        if (errors.isEmpty()) lastApplied = desired;
        errors.forEach(err -> LOG.log(System.Logger.Level.ERROR, "reconcile: {0}", err));
        return new PolicyApplyResult(written[0], removed[0], written[1], removed[1], written[2], removed[2], errors);
    }

    /** Number -> identity, as the last pass applied them: what drop events and `ferry policy` name. */
    public Map<Integer, Identity> identities() {
        return identities;
    }

    /**
     * After a restart: an identity keeps the number the ipcache gives it wherever the desired
     * state puts it, if every such place agrees and no other identity claims that number.
     */
    private void adoptNumbers(PolicyState desired) {
        Map<Identity, Set<Integer>> votes = new HashMap<>();
        desired.ipcache().forEach((prefix, e) -> {
            IpcacheValue applied = ipcache.get(prefix);
            if (applied == null) return;
            votes.computeIfAbsent(e.identity(), x -> new HashSet<>()).add(applied.identity());
            votes.computeIfAbsent(e.block(), x -> new HashSet<>()).add(applied.block());
        });
        Map<Integer, Integer> claims = new HashMap<>();
        votes.forEach((identity, voted) -> {
            if (voted.size() == 1) claims.merge(voted.iterator().next(), 1, Integer::sum);
        });
        int adopted = 0;
        for (var e : votes.entrySet()) {
            if (e.getKey() instanceof Identity.Reserved || e.getValue().size() != 1) continue;
            int number = e.getValue().iterator().next();
            if (number < IpcacheValue.FIRST_ALLOCATED || claims.get(number) != 1) continue;
            numbers.put(e.getKey(), number);
            adopted++;
        }
        LOG.log(System.Logger.Level.INFO, "adopted {0} identity numbers from the ipcache", adopted);
    }

    private IpcacheValue number(IpcacheEntry e) {
        return new IpcacheValue(numbers.get(e.identity()), numbers.get(e.block()));
    }

    private static EndpointValue endpoint(int id, EndpointPolicy p) {
        return new EndpointValue(id, p.ingressIsolated(), p.egressIsolated());
    }

    /** The LPM keys of one entry: one per port prefix, or one for every protocol. */
    private List<PolicyKey> keys(PolicyEntry e, int endpointId) {
        int identity = numbers.get(e.peer());
        boolean egress = e.direction() == Direction.EGRESS;
        if (e.protocol() == null) return List.of(new PolicyKey(identity, endpointId, egress, 0, 0, 0));
        return PortPrefixes.of(e.firstPort(), e.lastPort()).stream()
                .map(p -> new PolicyKey(identity, endpointId, egress, e.protocol().number(), p.port(), p.bits()))
                .toList();
    }

    private Set<Identity> keepNumbered(PolicyState desired) {
        Set<Identity> keep = new HashSet<>(desired.identities());
        keep.addAll(List.of(Identity.Reserved.values()));
        return keep;
    }

    private int addRules(Set<PolicyKey> added) {
        Map<PolicyKey, Integer> batch = new HashMap<>();
        added.forEach(k -> batch.put(k, PolicyMaps.ALLOW));
        if (!batch.isEmpty()) maps.rules().putAll(batch);
        rules.addAll(added);
        return added.size();
    }

    private static <K, V> int putChanged(Map<K, V> want, Map<K, V> applied, Consumer<Map<K, V>> put) {
        Map<K, V> changed = new HashMap<>();
        want.forEach((k, v) -> {
            if (!v.equals(applied.get(k))) changed.put(k, v);
        });
        if (!changed.isEmpty()) put.accept(changed);
        applied.putAll(changed);
        return changed.size();
    }

    private static <K, V> int removeMissing(Set<K> want, Map<K, V> applied, Consumer<List<K>> remove,
                                            List<String> errors, Consumer<V> onRemoved) {
        List<K> gone = applied.keySet().stream().filter(k -> !want.contains(k)).toList();
        if (gone.isEmpty()) return 0;
        try {
            remove.accept(gone);
        } catch (RuntimeException e) {
            errors.add("removing " + gone.size() + " policy map entries: " + e.getMessage());
            return 0;
        }
        gone.forEach(k -> onRemoved.accept(applied.remove(k)));
        return gone.size();
    }

    private static <T> Set<T> difference(Set<T> a, Set<T> b) {
        Set<T> out = new HashSet<>(a);
        out.removeAll(b);
        return out;
    }
}
