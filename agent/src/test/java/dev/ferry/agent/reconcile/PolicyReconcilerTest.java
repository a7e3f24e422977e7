package dev.ferry.agent.reconcile;

import dev.ferry.agent.datapath.InMemoryMapTable;
import dev.ferry.agent.datapath.PolicyMaps;
import dev.ferry.agent.datapath.abi.EndpointValue;
import dev.ferry.agent.datapath.abi.IpcacheValue;
import dev.ferry.agent.datapath.abi.PolicyKey;
import dev.ferry.agent.model.Cidr;
import dev.ferry.agent.model.Direction;
import dev.ferry.agent.model.Ipv4;
import dev.ferry.agent.model.PodName;
import dev.ferry.agent.model.Protocol;
import dev.ferry.agent.translate.policy.EndpointPolicy;
import dev.ferry.agent.translate.policy.Identity;
import dev.ferry.agent.translate.policy.IpcacheEntry;
import dev.ferry.agent.translate.policy.PolicyEntry;
import dev.ferry.agent.translate.policy.PolicyState;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.*;

/** The policy writer on in-memory maps: numbering, write order, restart, full maps. */
class PolicyReconcilerTest {
    private static final Inet4Address SERVER = Ipv4.parse("10.244.1.10"), CLIENT = Ipv4.parse("10.244.2.20"),
            OTHER = Ipv4.parse("10.244.2.21");
    private static final Identity.Pods FRONTEND = pods("frontend"), BACKEND = pods("backend"), BATCH = pods("batch");

    private final List<String> journal = new ArrayList<>();
    private final InMemoryMapTable<Cidr, IpcacheValue> ipcache = new InMemoryMapTable<>("ipcache", 100, journal::add);
    private final InMemoryMapTable<Inet4Address, EndpointValue> endpoints = new InMemoryMapTable<>("endpoints", 100, journal::add);
    private InMemoryMapTable<PolicyKey, Integer> rules = new InMemoryMapTable<>("rules", 100, journal::add);

    private static Identity.Pods pods(String app) {
        return new Identity.Pods("shop", new TreeMap<>(Map.of("app", app)), new TreeMap<>(Map.of("kubernetes.io/metadata.name", "shop")),
                new TreeSet<>());
    }

    private PolicyMaps maps() {
        return new PolicyMaps(ipcache, endpoints, rules);
    }

    /** SERVER (backend) isolated for ingress, allowing the identity of CLIENT on 8080/TCP; OTHER is clientIdentity too. */
    private static PolicyState state(Identity clientIdentity, Identity allowed, boolean isolated) {
        TreeMap<Cidr, IpcacheEntry> cache = new TreeMap<>();
        cache.put(new Cidr(SERVER, 32), new IpcacheEntry(BACKEND, Identity.Reserved.WORLD));
        cache.put(new Cidr(CLIENT, 32), new IpcacheEntry(clientIdentity, Identity.Reserved.WORLD));
        cache.put(new Cidr(OTHER, 32), new IpcacheEntry(BATCH, Identity.Reserved.WORLD));
        TreeMap<Inet4Address, EndpointPolicy> eps = new TreeMap<>(Ipv4::compare);
        TreeSet<PolicyEntry> entries = new TreeSet<>();
        if (isolated) {
            eps.put(SERVER, new EndpointPolicy(new PodName("shop", "backend-1"), true, false));
            entries.add(new PolicyEntry(SERVER, Direction.INGRESS, allowed, Protocol.TCP, 8080, 8080));
            entries.add(new PolicyEntry(SERVER, Direction.INGRESS, allowed, Protocol.UDP, 1000, 1003));
        }
        return new PolicyState(cache, eps, entries, new TreeMap<>(Ipv4::compare));
    }

    private static int firstIndex(List<String> journal, String prefix) {
        for (int i = 0; i < journal.size(); i++) if (journal.get(i).startsWith(prefix)) return i;
        return -1;
    }

    private static int lastIndex(List<String> journal, String prefix) {
        for (int i = journal.size() - 1; i >= 0; i--) if (journal.get(i).startsWith(prefix)) return i;
        return -1;
    }

    @Test
    void rulesAreWrittenBeforeTheAddressesAndTheEndpointThatNeedThem() {
        PolicyReconciler r = new PolicyReconciler(maps());
        PolicyApplyResult result = r.apply(state(FRONTEND, FRONTEND, true));

        assertEquals(List.of(), result.errors());
        assertTrue(lastIndex(journal, "put rules") < firstIndex(journal, "put ipcache"), journal.toString());
        assertTrue(lastIndex(journal, "put ipcache") < firstIndex(journal, "put endpoints"), journal.toString());
        int frontend = ipcache.get(new Cidr(CLIENT, 32)).orElseThrow().identity();
        assertTrue(frontend >= IpcacheValue.FIRST_ALLOCATED);
        assertEquals(IpcacheValue.WORLD, ipcache.get(new Cidr(CLIENT, 32)).orElseThrow().block());
        int ep = endpoints.get(SERVER).orElseThrow().id();
        assertEquals(Set.of(new PolicyKey(frontend, ep, false, 6, 8080, 16), new PolicyKey(frontend, ep, false, 17, 1000, 14)),
                rules.keys(), "8080 exactly; 1000-1003 as one /14 prefix");
        assertEquals(3, result.ipcacheWritten());
    }

    @Test
    void aSecondPassWithTheSameStateWritesNothing() {
        PolicyReconciler r = new PolicyReconciler(maps());
        r.apply(state(FRONTEND, FRONTEND, true));
        journal.clear();
        assertFalse(r.apply(state(FRONTEND, FRONTEND, true)).changedAnything());
        assertEquals(List.of(), journal);
    }

    @Test
    void liftingIsolationRemovesTheEndpointBeforeItsRules() {
        PolicyReconciler r = new PolicyReconciler(maps());
        r.apply(state(FRONTEND, FRONTEND, true));
        journal.clear();
        PolicyApplyResult result = r.apply(state(FRONTEND, FRONTEND, false));

        assertEquals(1, result.endpointsRemoved());
        assertEquals(2, result.rulesRemoved());
        assertTrue(firstIndex(journal, "remove endpoints") < firstIndex(journal, "remove rules"), journal.toString());
        assertEquals(Map.of(), rules.entries());
        assertEquals(Map.of(), endpoints.entries());
    }

    @Test
    void aPodChangingIdentityFindsItsNewRulesBeforeTheIpcacheMovesIt() {
        PolicyReconciler r = new PolicyReconciler(maps());
        r.apply(state(FRONTEND, BATCH, true)); // CLIENT is frontend, the rule allows batch (OTHER)
        int batch = ipcache.get(new Cidr(OTHER, 32)).orElseThrow().identity();
        journal.clear();

        // CLIENT is relabelled: it becomes "batch" too, and the rule now names frontend, which nobody has.
        r.apply(state(BATCH, FRONTEND, true));
        assertEquals(batch, ipcache.get(new Cidr(CLIENT, 32)).orElseThrow().identity(), "same labels, same number");
        assertTrue(lastIndex(journal, "put rules") < firstIndex(journal, "put ipcache"), journal.toString());
        assertTrue(lastIndex(journal, "put ipcache") < firstIndex(journal, "remove rules"), journal.toString());
        assertFalse(rules.keys().stream().anyMatch(k -> k.identity() == batch), "batch's rules are gone");
    }

    @Test
    void aRestartAdoptsTheNumbersAndRewritesNothing() {
        new PolicyReconciler(maps()).apply(state(FRONTEND, FRONTEND, true));
        Map<Cidr, IpcacheValue> before = ipcache.entries();
        Map<PolicyKey, Integer> rulesBefore = rules.entries();
        journal.clear();

        PolicyReconciler restarted = new PolicyReconciler(maps());
        assertFalse(restarted.apply(state(FRONTEND, FRONTEND, true)).changedAnything(), journal.toString());
        assertEquals(before, ipcache.entries());
        assertEquals(rulesBefore, rules.entries());
        assertEquals(FRONTEND, restarted.identities().get(before.get(new Cidr(CLIENT, 32)).identity()));

        // A new identity after the restart never takes a number the maps still use.
        restarted.apply(state(pods("new"), pods("new"), true));
        int fresh = ipcache.get(new Cidr(CLIENT, 32)).orElseThrow().identity();
        assertFalse(before.values().stream().anyMatch(v -> v.identity() == fresh));
    }

    @Test
    void aFullRuleMapStopsThePassBeforeAnythingIsIsolatedOrRemoved() {
        rules = new InMemoryMapTable<>("rules", 1, journal::add);
        PolicyReconciler r = new PolicyReconciler(maps());
        PolicyApplyResult result = r.apply(state(FRONTEND, FRONTEND, true));

        assertEquals(1, result.errors().size(), result.errors().toString());
        assertTrue(result.errors().getFirst().contains("full"), result.errors().getFirst());
        assertEquals(Map.of(), endpoints.entries(), "the pod is not isolated without its rules");
    }

    @Test
    void anEndpointNumberIsReusedOnlyInALaterPass() {
        PolicyReconciler r = new PolicyReconciler(maps());
        r.apply(state(FRONTEND, FRONTEND, true));
        int first = endpoints.get(SERVER).orElseThrow().id();

        // The same pass removes SERVER and isolates CLIENT: CLIENT must not get SERVER's number.
        TreeMap<Inet4Address, EndpointPolicy> eps = new TreeMap<>(Ipv4::compare);
        eps.put(CLIENT, new EndpointPolicy(new PodName("shop", "frontend-1"), false, true));
        PolicyState swapped = new PolicyState(state(FRONTEND, FRONTEND, false).ipcache(), eps, new TreeSet<>(),
                new TreeMap<>(Ipv4::compare));
        r.apply(swapped);
        assertNotEquals(first, endpoints.get(CLIENT).orElseThrow().id());
    }
}
