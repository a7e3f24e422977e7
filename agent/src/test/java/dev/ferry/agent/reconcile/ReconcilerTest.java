package dev.ferry.agent.reconcile;

import dev.ferry.agent.model.Ipv4;
import dev.ferry.agent.datapath.InMemoryArrayTable;
import dev.ferry.agent.datapath.InMemoryMapTable;
import dev.ferry.agent.datapath.InMemoryServiceMaps;
import dev.ferry.agent.datapath.ServiceMaps;
import dev.ferry.agent.datapath.abi.BackendValue;
import dev.ferry.agent.datapath.abi.SlotKey;
import dev.ferry.agent.datapath.abi.SvcKey;
import dev.ferry.agent.datapath.abi.SvcValue;
import dev.ferry.agent.model.Protocol;
import dev.ferry.agent.model.ServiceName;
import dev.ferry.agent.translate.Backend;
import dev.ferry.agent.translate.DesiredState;
import dev.ferry.agent.translate.Frontend;
import dev.ferry.agent.translate.FrontendTarget;
import dev.ferry.agent.translate.policy.PolicyState;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

class ReconcilerTest {
    private final List<String> journal = new ArrayList<>();
    private final InMemoryMapTable<SvcKey, SvcValue> services = new InMemoryMapTable<>("services", 100, journal::add);
    private final InMemoryMapTable<SlotKey, Integer> slots = new InMemoryMapTable<>("slots", 100, journal::add);
    /** Four slots: ids 1, 2, 3, 4 take slots 1, 2, 3, 0. */
    private final InMemoryArrayTable<BackendValue> backends = InMemoryServiceMaps.backends(4, journal::add);
    private final ServiceMaps maps = InMemoryServiceMaps.create(services, slots, backends, journal::add);

    private static final Frontend WEB = new Frontend(Ipv4.parse("10.96.0.10"), 80, Protocol.TCP);
    private static final Frontend DNS = new Frontend(Ipv4.parse("10.96.0.53"), 53, Protocol.UDP);

    @Test
    void newServiceIsWrittenBackendsThenSlotsThenService() {
        new Reconciler(maps).apply(state(WEB, b("10.0.0.1", 80), b("10.0.0.2", 80)));
        assertEquals(List.of("backends", "backends", "slots", "slots", "services"),
                journal.stream().map(j -> j.split(" ")[1]).toList());
        assertEquals("10.96.0.10:80/TCP -> 10.0.0.1:80 10.0.0.2:80\n", maps.dump());
    }

    @Test
    void growingWritesTheNewSlotBeforeTheCountAndShrinkingLowersTheCountFirst() {
        Reconciler r = new Reconciler(maps);
        r.apply(state(WEB, b("10.0.0.1", 80)));
        journal.clear();
        r.apply(state(WEB, b("10.0.0.1", 80), b("10.0.0.2", 80)));
        assertEquals(List.of("put backends", "put slots", "put services"), kinds());

        journal.clear();
        r.apply(state(WEB, b("10.0.0.2", 80)));
        // slot 0 now names backend 2, the count drops to 1, slot 1 goes, then backend 1's slot is emptied.
        assertEquals(List.of("put slots", "put services", "remove slots", "put backends"), kinds());
        assertEquals("10.96.0.10:80/TCP -> 10.0.0.2:80\n", maps.dump());
    }

    @Test
    void unchangedStateWritesNothing() {
        Reconciler r = new Reconciler(maps);
        r.apply(state(WEB, b("10.0.0.1", 80)));
        journal.clear();
        ApplyResult result = r.apply(state(WEB, b("10.0.0.1", 80)));
        assertFalse(result.changedAnything());
        assertEquals(List.of(), journal);
    }

    @Test
    void restartRestoresIdsAndRewritesNothing() {
        new Reconciler(maps).apply(state(WEB, b("10.0.0.1", 80), b("10.0.0.2", 80)));
        var before = slots.entries();
        journal.clear();
        Reconciler restarted = new Reconciler(maps);
        assertFalse(restarted.apply(state(WEB, b("10.0.0.1", 80), b("10.0.0.2", 80))).changedAnything());
        assertEquals(List.of(), journal);
        assertEquals(before, slots.entries());
    }

    @Test
    void restartNeverReusesABackendIdOfARemovedBackend() {
        Reconciler r = new Reconciler(maps);
        r.apply(state(WEB, b("10.0.0.1", 80), b("10.0.0.2", 80)));
        r.apply(state(WEB, b("10.0.0.1", 80)));
        r.apply(state(WEB, b("10.0.0.1", 80), b("10.0.0.3", 80)));
        assertEquals(List.of(1, 3), List.copyOf(maps.readBackends().keySet()));
    }

    @Test
    void removedServiceGoesServiceFirstThenSlotsThenBackends() {
        Reconciler r = new Reconciler(maps);
        r.apply(state(WEB, b("10.0.0.1", 80)));
        journal.clear();
        ApplyResult result = r.apply(DesiredState.empty());
        assertEquals(List.of("remove services", "remove slots", "put backends"), kinds());
        assertEquals(List.of(1), result.removedServiceIds());
        assertEquals("", maps.dump());
    }

    @Test
    void fullBackendMapIsReportedAndOtherServicesStillProgrammed() {
        Reconciler r = new Reconciler(maps);
        var desired = new TreeMap<Frontend, FrontendTarget>();
        desired.put(DNS, target(b("10.0.0.9", 53)));
        desired.put(WEB, target(b("10.0.0.1", 80), b("10.0.0.2", 80), b("10.0.0.3", 80), b("10.0.0.4", 80),
                b("10.0.0.5", 80)));
        ApplyResult result = r.apply(DesiredState.of(desired));
        assertFalse(result.errors().isEmpty(), "a full map is reported");
        assertTrue(result.errors().stream().anyMatch(e -> e.contains("full")), result.errors().toString());
        // Whatever fit is programmed consistently: every service entry's slots resolve.
        assertFalse(maps.dump().contains("MISSING"), maps.dump());
    }

    @Test
    void newFrontendsGetAllTheirSlotsBeforeAnyServiceEntry() {
        var desired = new TreeMap<Frontend, FrontendTarget>();
        desired.put(WEB, target(b("10.0.0.1", 80), b("10.0.0.2", 80)));
        desired.put(DNS, target(b("10.0.0.9", 53)));
        new Reconciler(maps).apply(DesiredState.of(desired));
        assertEquals(List.of("put backends", "put slots", "put services"), kinds());
        assertEquals(3, journal.stream().filter(j -> j.startsWith("put slots")).count());
        assertEquals("10.96.0.10:80/TCP -> 10.0.0.1:80 10.0.0.2:80\n10.96.0.53:53/UDP -> 10.0.0.9:53\n", maps.dump());
    }

    /** A batch that fails halfway leaves no new entry behind; frontends are then written one by one. */
    @Test
    void aFailedBatchOfNewFrontendsFallsBackToOneByOne() {
        var oneService = new InMemoryMapTable<SvcKey, SvcValue>("services", 1, journal::add);
        ServiceMaps tight = InMemoryServiceMaps.create(oneService, slots, backends, journal::add);
        var desired = new TreeMap<Frontend, FrontendTarget>();
        desired.put(WEB, target(b("10.0.0.1", 80)));
        desired.put(DNS, target(b("10.0.0.9", 53)));
        ApplyResult result = new Reconciler(tight).apply(DesiredState.of(desired));

        assertEquals(1, result.frontendsWritten());
        assertTrue(result.errors().stream().anyMatch(e -> e.contains("full")), result.errors().toString());
        assertEquals(1, oneService.entries().size());
        // Only the written frontend's slot is left; the other's went with the undone batch.
        int svcId = oneService.entries().values().iterator().next().svcId();
        assertEquals(Set.of(new SlotKey(svcId, 0)), slots.entries().keySet());
        assertFalse(tight.dump().contains("MISSING"), tight.dump());
    }

    // ---- backends_v2: an id's slot is id % slots (4 here); a live backend's slot is never given away ----

    @Test
    void aNewIdSkipsTheSlotsOfLiveBackends() {
        Reconciler r = new Reconciler(maps);
        r.apply(state(WEB, b("10.0.0.1", 80), b("10.0.0.2", 80), b("10.0.0.3", 80)));
        r.apply(state(WEB, b("10.0.0.1", 80), b("10.0.0.3", 80))); // id 2 goes: slot 2 is free
        r.apply(state(WEB, b("10.0.0.1", 80), b("10.0.0.3", 80), b("10.0.0.4", 80), b("10.0.0.5", 80)));
        // 4 takes slot 0; 5 would take slot 1, which id 1 holds: 10.0.0.5 gets 6, in slot 2.
        assertEquals(Map.of(1, b("10.0.0.1", 80), 3, b("10.0.0.3", 80), 4, b("10.0.0.4", 80), 6, b("10.0.0.5", 80)),
                maps.readBackends());
        assertEquals(6, backends.get(2).orElseThrow().id());
        assertEquals("10.96.0.10:80/TCP -> 10.0.0.1:80 10.0.0.3:80 10.0.0.4:80 10.0.0.5:80\n", maps.dump());
    }

    @Test
    void whenEverySlotIsLiveNewBackendsWaitAndWhatIsProgrammedStays() {
        Reconciler r = new Reconciler(maps);
        Backend[] four = {b("10.0.0.1", 80), b("10.0.0.2", 80), b("10.0.0.3", 80), b("10.0.0.4", 80)};
        r.apply(state(WEB, four));
        String before = maps.dump();
        journal.clear();
        var more = new TreeMap<Frontend, FrontendTarget>();
        more.put(WEB, target(four));
        more.put(DNS, new FrontendTarget(new ServiceName("demo", "dns"), "", List.of(b("10.0.0.9", 53))));
        ApplyResult full = r.apply(DesiredState.of(more));
        assertEquals(List.of("backends_v2 is full: all 4 slots hold live backends: 1 backends not written (first 10.0.0.9:53);"
                + " the services needing them keep what they had until backends go",
                "demo/dns 10.96.0.53:53/UDP: backend 10.0.0.9:53 is not in backends_v2"), full.errors());
        assertEquals(List.of(), journal, "nothing written, nothing removed");
        assertEquals(before, maps.dump());

        // A backend goes (its slot is emptied at the end of that pass); the next pass programs dns.
        more.put(WEB, target(b("10.0.0.1", 80), b("10.0.0.2", 80), b("10.0.0.3", 80)));
        r.apply(DesiredState.of(more));
        assertEquals(List.of(), r.apply(DesiredState.of(more)).errors());
        assertEquals("10.96.0.10:80/TCP -> 10.0.0.1:80 10.0.0.2:80 10.0.0.3:80\n10.96.0.53:53/UDP -> 10.0.0.9:53\n",
                maps.dump());
    }

    @Test
    void restartRestoresBackendsFromTheArrayAndGivesNewOnesFreeSlotsAndHigherIds() {
        Reconciler first = new Reconciler(maps);
        first.apply(state(WEB, b("10.0.0.1", 80), b("10.0.0.2", 80), b("10.0.0.3", 80)));
        first.apply(state(WEB, b("10.0.0.1", 80), b("10.0.0.3", 80)));
        first.apply(state(WEB, b("10.0.0.1", 80), b("10.0.0.3", 80), b("10.0.0.4", 80)));
        // Slots now: 0 -> id 4, 1 -> id 1, 2 -> emptied (id 0, 10.0.0.2 left behind), 3 -> id 3.
        journal.clear();
        Reconciler restarted = new Reconciler(maps);
        assertFalse(restarted.apply(state(WEB, b("10.0.0.1", 80), b("10.0.0.3", 80), b("10.0.0.4", 80))).changedAnything());
        assertEquals(List.of(), journal);
        restarted.apply(state(WEB, b("10.0.0.1", 80), b("10.0.0.3", 80), b("10.0.0.4", 80), b("10.0.0.5", 80)));
        // Above every restored id, and not 5: slot 1 is id 1's.
        assertEquals(List.of(1, 3, 4, 6), List.copyOf(maps.readBackends().keySet()));
    }

    @Test
    void theUsageMetricCountsLiveSlotsNotTheArray() {
        Reconciler r = new Reconciler(maps);
        r.apply(state(WEB, b("10.0.0.1", 80), b("10.0.0.2", 80), b("10.0.0.3", 80)));
        assertArrayEquals(new int[]{3, 4}, r.usage().get("backends_v2"));
        r.apply(state(WEB, b("10.0.0.1", 80)));
        assertArrayEquals(new int[]{1, 4}, r.usage().get("backends_v2"));
    }

    @Test
    void theUsageMetricCountsWhatTheMapsHoldWithoutReadingThem() {
        slots.put(new SlotKey(77, 0), 1); // left by an earlier agent for a frontend that is gone
        Reconciler r = new Reconciler(maps);
        assertUsageIsWhatTheTablesHold(r, 0, 1);
        r.apply(states(WEB, List.of(b("10.0.0.1", 80), b("10.0.0.2", 80), b("10.0.0.3", 80)),
                DNS, List.of(b("10.0.0.1", 80), b("10.0.0.2", 80))));
        assertUsageIsWhatTheTablesHold(r, 2, 5);
        r.apply(states(WEB, List.of(b("10.0.0.1", 80)),
                DNS, List.of(b("10.0.0.1", 80), b("10.0.0.2", 80), b("10.0.0.3", 80))));
        assertUsageIsWhatTheTablesHold(r, 2, 4);
        r.apply(state(DNS, b("10.0.0.2", 80)));
        assertUsageIsWhatTheTablesHold(r, 1, 1);
        assertUsageIsWhatTheTablesHold(new Reconciler(maps), 1, 1);
    }

    private void assertUsageIsWhatTheTablesHold(Reconciler r, int services, int slots) {
        assertEquals(services, this.services.size());
        assertEquals(slots, this.slots.size());
        assertArrayEquals(new int[]{services, 100}, r.usage().get("services_v2"));
        assertArrayEquals(new int[]{slots, 100}, r.usage().get("slots_v1"));
    }

    private static DesiredState states(Frontend one, List<Backend> itsBackends, Frontend other, List<Backend> otherBackends) {
        var map = new TreeMap<Frontend, FrontendTarget>();
        map.put(one, target(itsBackends.toArray(Backend[]::new)));
        map.put(other, target(otherBackends.toArray(Backend[]::new)));
        return DesiredState.of(map);
    }

    @Test
    void aSlotHoldingAnIdThatIsNotItsOwnIsNoBackend() {
        backends.put(2, new BackendValue(7, Ipv4.parse("10.0.0.7"), 80, 0)); // 7 belongs in slot 3
        backends.put(1, new BackendValue(5, Ipv4.parse("10.0.0.5"), 80, 0));
        assertEquals(Map.of(5, b("10.0.0.5", 80)), maps.readBackends());
    }

    @Test
    void serviceWithoutBackendsGetsARejectEntry() {
        new Reconciler(maps).apply(state(WEB));
        assertEquals("10.96.0.10:80/TCP -> reject\n", maps.dump());
    }

    @Test
    void aWriteThatFailedIsTriedAgainThoughItsServiceDidNotChange() {
        Reconciler r = new Reconciler(maps);
        var crowded = new TreeMap<Frontend, FrontendTarget>();
        // Written in frontend order: web's backend fits, the last of dns's four does not.
        crowded.put(WEB, new FrontendTarget(new ServiceName("a", "web"), "", List.of(b("10.0.0.9", 80))));
        crowded.put(DNS, new FrontendTarget(new ServiceName("b", "dns"), "", List.of(b("10.0.0.1", 53), b("10.0.0.2", 53),
                b("10.0.0.3", 53), b("10.0.0.4", 53))));
        DesiredState both = DesiredState.of(crowded);
        assertFalse(r.apply(both).errors().isEmpty(), "five backends do not fit in four");
        assertEquals("10.96.0.10:80/TCP -> 10.0.0.9:80\n", maps.dump());
        // web goes; dns's part is the very same instance, so only a retry can program it.
        var dnsOnly = new HashMap<>(both.services());
        dnsOnly.remove(new ServiceName("a", "web"));
        DesiredState after = new DesiredState(dnsOnly, List.of(), PolicyState.empty());
        r.apply(after); // web's backend leaves at the end of this pass
        ApplyResult third = r.apply(after);
        assertEquals(List.of(), third.errors());
        assertEquals("10.96.0.53:53/UDP -> 10.0.0.1:53 10.0.0.2:53 10.0.0.3:53 10.0.0.4:53\n", maps.dump());
    }

    @Test
    void aBackendSharedByTwoServicesStaysUntilNeitherNamesIt() {
        Reconciler r = new Reconciler(maps);
        Backend shared = b("10.0.0.1", 80);
        var two = new TreeMap<Frontend, FrontendTarget>();
        two.put(DNS, new FrontendTarget(new ServiceName("a", "dns"), "", List.of(shared)));
        two.put(WEB, new FrontendTarget(new ServiceName("b", "web"), "", List.of(shared)));
        r.apply(DesiredState.of(two));
        assertEquals(1, maps.readBackends().size());

        two.remove(DNS);
        assertEquals(0, r.apply(DesiredState.of(two)).backendsRemoved());
        assertEquals("10.96.0.10:80/TCP -> 10.0.0.1:80\n", maps.dump());

        assertEquals(1, r.apply(DesiredState.empty()).backendsRemoved());
        assertEquals(0, maps.readBackends().size());
    }

    @Test
    void aFrontendTwoServicesClaimPassesToTheOtherWhenTheFirstLeaves() {
        Reconciler r = new Reconciler(maps);
        var first = DesiredState.of(new TreeMap<>(Map.of(WEB, new FrontendTarget(new ServiceName("a", "web"), "",
                List.of(b("10.0.0.1", 80))))));
        var second = DesiredState.of(new TreeMap<>(Map.of(WEB, new FrontendTarget(new ServiceName("b", "web"), "",
                List.of(b("10.0.0.2", 80))))));
        var services = new HashMap<>(first.services());
        services.putAll(second.services());
        r.apply(new DesiredState(services, List.of(), PolicyState.empty()));
        assertEquals("10.96.0.10:80/TCP -> 10.0.0.1:80\n", maps.dump(), "a/web is first by name");

        r.apply(second);
        assertEquals("10.96.0.10:80/TCP -> 10.0.0.2:80\n", maps.dump());
    }

    private List<String> kinds() {
        return journal.stream().map(j -> j.split(" ")[0] + " " + j.split(" ")[1]).distinct().toList();
    }

    private static DesiredState state(Frontend frontend, Backend... backends) {
        var map = new TreeMap<Frontend, FrontendTarget>();
        map.put(frontend, target(backends));
        return DesiredState.of(map);
    }

    private static FrontendTarget target(Backend... backends) {
        return new FrontendTarget(new ServiceName("demo", "web"), "", List.of(backends));
    }

    private static Backend b(String ip, int port) {
        return new Backend(Ipv4.parse(ip), port);
    }
}
