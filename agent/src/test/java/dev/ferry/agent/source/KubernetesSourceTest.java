package dev.ferry.agent.source;

import dev.ferry.agent.datapath.InMemoryServiceMaps;
import dev.ferry.agent.datapath.ServiceMaps;
import dev.ferry.agent.model.Cluster;
import dev.ferry.agent.model.LocalNode;
import dev.ferry.agent.reconcile.Reconciler;
import dev.ferry.agent.translate.ServiceTranslator;
import dev.ferry.agent.translate.policy.PolicyCompiler;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointHintsBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.ServiceCIDR;
import io.fabric8.kubernetes.api.model.networking.v1.ServiceCIDRBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Informer wiring against fabric8's mock API server in CRUD mode: API objects in, map dump out.
 *
 * <p>Each test gets a server of its own (an instance field), and each test has seen its last change
 * arrive before its informers close. The mock can stall for 30 s when a watch closes while an event
 * for it is still being sent: the close handler waits on the vert.x event loop for the watch's
 * sender, and the sender waits for that event loop to write. A server shared between tests, cleaned
 * up by deletes after the informers closed, stalled the next test's requests past their timeout.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesSourceTest {
    KubernetesClient client;
    static final String NODE = "node1";

    private final BlockingQueue<Cluster> snapshots = new LinkedBlockingQueue<>();
    private final ServiceMaps maps = InMemoryServiceMaps.create();
    private final Reconciler reconciler = new Reconciler(maps);
    private KubernetesSource source;

    @AfterEach
    void stop() {
        if (source != null) source.close();
    }

    @Test
    void theFirstSnapshotAlreadyHoldsEverythingThatExistedBeforeTheStart() throws Exception {
        client.resource(service("web", "10.96.0.10", 80)).create();
        client.resource(slice("web", "web-1", 8080, "10.244.1.11")).create();
        start();
        Cluster first = snapshots.poll(10, TimeUnit.SECONDS);
        assertNotNull(first, "no snapshot after sync");
        assertEquals(1, first.services().size());
        assertEquals(1, first.slices().size());
        reconciler.apply(ServiceTranslator.translate(first, LocalNode.named(NODE)));
        assertEquals("10.96.0.10:80/TCP -> 10.244.1.11:8080\n", maps.dumpFrontends());
    }

    @Test
    void createUpdateAndDeleteOfServicesAndSlicesReachTheMaps() throws Exception {
        start();
        awaitMaps(""::equals);

        client.resource(service("web", "10.96.0.10", 80)).create();
        awaitMaps("10.96.0.10:80/TCP -> reject\n"::equals);

        client.resource(slice("web", "web-1", 8080, "10.244.1.11")).create();
        awaitMaps("10.96.0.10:80/TCP -> 10.244.1.11:8080\n"::equals);

        client.resource(slice("web", "web-1", 8080, "10.244.1.11", "10.244.1.12")).update();
        awaitMaps("10.96.0.10:80/TCP -> 10.244.1.11:8080 10.244.1.12:8080\n"::equals);

        client.resource(service("web", "10.96.0.10", 81)).update();
        awaitMaps(d -> d.startsWith("10.96.0.10:81/TCP ->"));

        client.resource(slice("web", "web-1", 8080, "10.244.1.11")).delete();
        awaitMaps("10.96.0.10:81/TCP -> reject\n"::equals);

        client.resources(io.fabric8.kubernetes.api.model.Service.class).inNamespace("lab").withName("web").delete();
        awaitMaps(""::equals);
    }

    @Test
    void serviceCidrsAndThisNodeReachTheMaps() throws Exception {
        start();
        awaitMaps(""::equals);
        client.resource(new ServiceCIDRBuilder().withNewMetadata().withName("kubernetes").endMetadata()
                .withNewSpec().withCidrs("10.96.0.0/16", "fd00:10:96::/112").endSpec().build()).create();
        awaitDump(d -> d.contains("service CIDRs (unallocated drop): 10.96.0.0/16"));
        client.resource(new ServiceCIDRBuilder().withNewMetadata().withName("extra").endMetadata()
                .withNewSpec().withCidrs("10.97.0.0/16").endSpec().build()).create();
        awaitDump(d -> d.contains("10.96.0.0/16 10.97.0.0/16"));
        client.resource(new ServiceCIDRBuilder().withNewMetadata().withName("extra").endMetadata()
                .withNewSpec().withCidrs("10.98.0.0/16").endSpec().build()).update();
        awaitDump(d -> d.contains("10.96.0.0/16 10.98.0.0/16"));
        client.resources(ServiceCIDR.class).withName("extra").delete();
        awaitDump(d -> d.contains("10.96.0.0/16\n"));

        // Zone hints apply once this node's zone label arrives through the Node informer.
        client.resource(service("web", "10.96.0.10", 80)).create();
        EndpointSlice hinted = slice("web", "web-1", 8080, "10.244.1.11", "10.244.2.12");
        hinted.getEndpoints().get(0).setHints(new EndpointHintsBuilder().addNewForZone("zone-a").build());
        hinted.getEndpoints().get(1).setHints(new EndpointHintsBuilder().addNewForZone("zone-b").build());
        client.resource(hinted).create();
        awaitMaps("10.96.0.10:80/TCP -> 10.244.1.11:8080 10.244.2.12:8080\n"::equals);
        client.resource(new NodeBuilder().withNewMetadata().withName(NODE)
                .addToLabels("topology.kubernetes.io/zone", "zone-b").endMetadata().build()).create();
        awaitMaps("10.96.0.10:80/TCP -> 10.244.2.12:8080\n"::equals);
        client.resource(new NodeBuilder().withNewMetadata().withName(NODE)
                .addToLabels("topology.kubernetes.io/zone", "zone-a").endMetadata().build()).update();
        awaitMaps("10.96.0.10:80/TCP -> 10.244.1.11:8080\n"::equals);
        client.resource(new NodeBuilder().withNewMetadata().withName("other")
                .addToLabels("topology.kubernetes.io/zone", "zone-a").endMetadata().build()).create();
        client.nodes().withName(NODE).delete();
        awaitMaps("10.96.0.10:80/TCP -> 10.244.1.11:8080 10.244.2.12:8080\n"::equals);
    }

    @Test
    void anInvalidObjectIsSkippedAndCountedWithoutDisturbingTheOthers() throws Exception {
        client.resource(service("good", "10.96.0.10", 80)).create();
        client.resource(service("bad", "10.96.0.999", 80)).create();
        start();
        awaitMaps("10.96.0.10:80/TCP -> reject\n"::equals);
        assertEquals(1, source.invalidObjects());

        client.resource(service("bad", "10.96.0.11", 80)).update();
        awaitMaps(d -> d.contains("10.96.0.11:80/TCP"));
        assertEquals(0, source.invalidObjects());
    }

    @Test
    void anInvalidObjectIsReportedWithoutRemovingWhatIsProgrammed() throws Exception {
        client.resource(service("web", "10.96.0.10", 80)).create();
        client.resource(slice("web", "web-1", 8080, "10.244.1.11")).create();
        start();
        awaitMaps("10.96.0.10:80/TCP -> 10.244.1.11:8080\n"::equals);

        client.resource(slice("web", "web-2", 8080, "10.244.1.999")).create();
        client.resource(pod("lab", "bad", "bad", NODE, "10.244.1.999")).create();
        Cluster withBad = awaitSnapshot(c -> c.slices().size() == 1 && c.pods().isEmpty() && source.invalidObjects() == 2);
        reconciler.apply(ServiceTranslator.translate(withBad, LocalNode.named(NODE)));
        assertEquals("10.96.0.10:80/TCP -> 10.244.1.11:8080\n", maps.dumpFrontends());

        client.resource(slice("web", "web-2", 8080, "10.244.1.12")).update();
        awaitMaps("10.96.0.10:80/TCP -> 10.244.1.11:8080 10.244.1.12:8080\n"::equals);
        assertEquals(1, source.invalidObjects());
    }

    /** The contract later stages rely on: an object whose resourceVersion stays is the same model instance. */
    @Test
    void anUpdateReplacesItsModelAndLeavesTheOthersTheirInstances() throws Exception {
        client.resource(service("web", "10.96.0.10", 80)).create();
        client.resource(slice("web", "web-1", 8080, "10.244.1.11")).create();
        client.resource(pod("lab", "db", "db", NODE, "10.244.1.10")).create();
        start();
        Cluster first = awaitSnapshot(c -> c.slices().size() == 1);

        client.resource(slice("web", "web-1", 8080, "10.244.1.12")).update();
        Cluster second = awaitSnapshot(c -> c.slices().getFirst().endpoints().getFirst().address().getHostAddress()
                .equals("10.244.1.12"));
        assertSame(first.services().getFirst(), second.services().getFirst());
        assertSame(first.pods(), second.pods(), "no pod changed: the very same list");
        assertNotSame(first.slices().getFirst(), second.slices().getFirst());

        client.resources(Pod.class).inNamespace("lab").withName("db").delete();
        Cluster third = awaitSnapshot(c -> c.pods().isEmpty());
        assertSame(second.slices().getFirst(), third.slices().getFirst());
    }

    /**
     * A watch that can not resume (its resourceVersion compacted away) makes the informer list
     * again: what was deleted meanwhile goes, what did not change keeps its model instance.
     */
    @Test
    void aRelistAfterAWatchGapDropsWhatVanished() throws Exception {
        try (GappyApiServer api = new GappyApiServer()) {
            api.client().resource(service("web", "10.96.0.10", 80)).create();
            api.client().resource(service("gone", "10.96.0.11", 80)).create();
            source = new KubernetesSource(api.client(), NODE, Duration.ofMillis(20),
                    (cluster, changeSeenAt) -> snapshots.add(cluster)).start();
            try {
                Cluster before = awaitSnapshot(c -> c.services().size() == 2);

                api.gap(() -> api.forget(io.fabric8.kubernetes.api.model.Service.class, "lab", "gone"));
                Cluster after = awaitSnapshot(c -> c.services().size() == 1);
                assertTrue(api.servicesLists().size() >= 2 && api.servicesLists().stream().allMatch(p -> p.contains("limit=500")),
                        "listed, and listed again, in pages: " + api.servicesLists());
                assertEquals("web", after.services().getFirst().name().name());
                assertSame(before.services().stream().filter(s -> s.name().name().equals("web")).findFirst().orElseThrow(),
                        after.services().getFirst(), "listed again unchanged: the same model");
            } finally {
                // The informers go before the server they watch: a server shutting down under open
                // watches could wait on them for longer than its own close allows.
                source.close();
                source = null;
            }
        }
    }

    @Test
    void aBurstOfChangesCoalescesIntoFewSnapshots() throws Exception {
        start();
        assertNotNull(snapshots.poll(10, TimeUnit.SECONDS));
        for (int i = 0; i < 50; i++) client.resource(service("s" + i, "10.96.1." + (i + 1), 80)).create();
        awaitMaps(d -> d.lines().count() == 50);
        assertTrue(snapshots.size() < 50, "50 creations gave " + snapshots.size() + " snapshots");
    }

    @Test
    void podsNamespacesAndNetworkPoliciesReachThePolicyState() throws Exception {
        client.resource(new NamespaceBuilder().withNewMetadata().withName("lab").endMetadata().build()).create();
        client.resource(new NamespaceBuilder().withNewMetadata().withName("ops").endMetadata().build()).create();
        client.resource(pod("lab", "db", "db", NODE, "10.244.1.10")).create();
        client.resource(pod("ops", "probe", "probe", "node2", "10.244.2.10")).create();
        start();
        awaitPolicy(d -> d.contains("ipcache 10.244.1.10/32 -> 2:lab{app=db}") && !d.contains("endpoint"));

        // The policy admits pods of namespaces labelled team=ops; ops has no such label yet.
        client.resource(new NetworkPolicyBuilder().withNewMetadata().withName("db").withNamespace("lab").endMetadata()
                .withNewSpec().withNewPodSelector().addToMatchLabels("app", "db").endPodSelector()
                .addNewIngress().addNewFrom().withNewNamespaceSelector().addToMatchLabels("team", "ops")
                .endNamespaceSelector().endFrom().endIngress().endSpec().build()).create();
        awaitPolicy(d -> d.contains("endpoint 10.244.1.10 lab/db isolated: ingress\n") && !d.contains("allow"));

        client.resource(new NamespaceBuilder().withNewMetadata().withName("ops").addToLabels("team", "ops").endMetadata()
                .build()).update();
        awaitPolicy(d -> d.contains("allow 10.244.1.10 ingress 2:ops{app=probe} ns{kubernetes.io/metadata.name=ops, team=ops} all"));

        client.resource(pod("ops", "probe", "probe", "node2", "10.244.2.11")).update();
        awaitPolicy(d -> d.contains("ipcache 10.244.2.11/32 -> 2:ops{app=probe}") && !d.contains("10.244.2.10"));

        client.resources(NetworkPolicy.class).inNamespace("lab").withName("db").delete();
        awaitPolicy(d -> !d.contains("endpoint") && !d.contains("allow"));
    }

    private Cluster awaitSnapshot(Predicate<Cluster> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        Cluster last = null;
        while (System.nanoTime() < deadline) {
            Cluster next = snapshots.poll(100, TimeUnit.MILLISECONDS);
            if (next != null) last = next;
            if (last != null && wanted.test(last)) return last;
        }
        fail("no snapshot matched; last: " + last);
        return null;
    }

    /** Compiles snapshots as the agent would, until the policy dump matches. */
    private void awaitPolicy(Predicate<String> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String last = "(no snapshot)";
        while (System.nanoTime() < deadline) {
            Cluster next = snapshots.poll(100, TimeUnit.MILLISECONDS);
            if (next == null) continue;
            last = PolicyCompiler.compile(next, LocalNode.named(NODE)).dump();
            if (wanted.test(last)) return;
        }
        fail("policy never matched; last dump:\n" + last);
    }

    static Pod pod(String namespace, String name, String app, String node, String ip) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(namespace).addToLabels("app", app).endMetadata()
                .withNewSpec().withNodeName(node).endSpec()
                .withNewStatus().withPhase("Running").withPodIP(ip).endStatus().build();
    }

    private void start() {
        source = new KubernetesSource(client, NODE, Duration.ofMillis(20), (cluster, changeSeenAt) -> snapshots.add(cluster)).start();
    }

    /** Applies snapshots as the reconcile loop would, until the frontend dump matches. */
    private void awaitMaps(Predicate<String> wanted) throws InterruptedException {
        await(wanted, false);
    }

    /** Same, on the whole dump (frontends, cluster IPs, service CIDRs). */
    private void awaitDump(Predicate<String> wanted) throws InterruptedException {
        await(wanted, true);
    }

    private void await(Predicate<String> wanted, boolean whole) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            Cluster next = snapshots.poll(100, TimeUnit.MILLISECONDS);
            if (next != null) reconciler.apply(ServiceTranslator.translate(next, LocalNode.named(NODE)));
            if (wanted.test(whole ? maps.dump() : maps.dumpFrontends())) return;
        }
        fail("maps never matched; last dump:\n" + maps.dump());
    }

    static io.fabric8.kubernetes.api.model.Service service(String name, String ip, int port) {
        return new ServiceBuilder().withNewMetadata().withName(name).withNamespace("lab").endMetadata()
                .withNewSpec().withClusterIP(ip).addNewPort().withPort(port).withProtocol("TCP").endPort().endSpec()
                .build();
    }

    static EndpointSlice slice(String service, String name, int port, String... ips) {
        var b = new EndpointSliceBuilder().withNewMetadata().withName(name).withNamespace("lab")
                .addToLabels("kubernetes.io/service-name", service).endMetadata()
                .withAddressType("IPv4").addNewPort().withPort(port).withProtocol("TCP").endPort();
        for (String ip : ips) b.addNewEndpoint().withAddresses(List.of(ip)).endEndpoint();
        return b.build();
    }
}
