package dev.ferry.agent.k8s;

import dev.ferry.agent.model.Cluster;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ModelStoreTest {
    private final ModelStore<Pod> pods = new ModelStore<>(Pod::new);

    @Test
    void keepsTheModelAndHandsFabric8OnlyAStandIn() {
        Pod pod = pod("db", "7", "10.244.1.10");
        String key = pods.getKey(pod);
        assertEquals("lab/db", key);
        assertNull(pods.put(key, pod), "nothing held before");

        Pod standIn = pods.get(key);
        assertEquals("db", standIn.getMetadata().getName());
        assertEquals("lab", standIn.getMetadata().getNamespace());
        assertEquals("7", standIn.getMetadata().getResourceVersion());
        assertNull(standIn.getSpec(), "no spec kept");
        assertNull(standIn.getStatus(), "no status kept");
        assertTrue(standIn.getMetadata().getLabels().isEmpty(), "no labels kept");
        assertEquals(key, pods.getKey(standIn), "fabric8 finds a stand-in under its key (relist, delete)");
        assertEquals(List.of(key), pods.keySet().toList());
        assertEquals(List.of(key), pods.values().map(pods::getKey).toList());

        Cluster models = pods.snapshot().cluster();
        assertEquals(1, models.pods().size());
        assertEquals("lab/db", models.pods().getFirst().name().toString());
        assertEquals("10.244.1.10", models.pods().getFirst().address().orElseThrow().getHostAddress());
    }

    @Test
    void theSameResourceVersionKeepsTheModelInstanceAndANewOneReplacesIt() {
        pods.put("lab/db", pod("db", "7", "10.244.1.10"));
        pods.put("lab/web", pod("web", "3", "10.244.1.11"));
        Manifests.Parsed first = pods.snapshot();
        assertSame(first.cluster().pods(), pods.snapshot().cluster().pods(), "nothing changed: the same list");

        Pod old = pods.put("lab/db", pod("db", "7", "10.244.1.10")); // a relist finds it unchanged
        assertEquals("7", old.getMetadata().getResourceVersion());
        assertSame(first.cluster().pods(), pods.snapshot().cluster().pods(), "an unchanged version converts nothing");

        old = pods.put("lab/db", pod("db", "8", "10.244.1.12"));
        assertEquals("7", old.getMetadata().getResourceVersion(), "fabric8 compares the old version to tell an update");
        Cluster second = pods.snapshot().cluster();
        assertNotSame(first.cluster().pods(), second.pods());
        assertEquals(2, second.pods().size());
        assertSame(model(first.cluster(), "web"), model(second, "web"), "the unchanged pod keeps its instance");
        assertNotSame(model(first.cluster(), "db"), model(second, "db"));
        assertEquals("10.244.1.12", model(second, "db").address().orElseThrow().getHostAddress());
    }

    @Test
    void removeDropsTheModel() {
        pods.put("lab/db", pod("db", "7", "10.244.1.10"));
        pods.snapshot();
        assertEquals("7", pods.remove("lab/db").getMetadata().getResourceVersion());
        assertNull(pods.remove("lab/db"));
        assertNull(pods.get("lab/db"));
        assertEquals(0, pods.size());
        assertTrue(pods.snapshot().cluster().pods().isEmpty());
    }

    @Test
    void anInvalidObjectIsHeldAsAProblemWithoutAModel() {
        pods.put("lab/db", pod("db", "7", "10.244.1.10"));
        pods.put("lab/bad", pod("bad", "1", "10.244.1.999"));
        Manifests.Parsed parsed = pods.snapshot();
        assertEquals(List.of("lab/db"), parsed.cluster().pods().stream().map(p -> p.name().toString()).toList());
        assertEquals(1, parsed.problems().size(), parsed.problems().toString());
        assertTrue(parsed.problems().getFirst().contains("Pod lab/bad"), parsed.problems().toString());
        assertEquals(2, pods.size(), "fabric8 still knows it, so a relist or delete finds it");

        pods.put("lab/bad", pod("bad", "2", "10.244.1.9"));
        assertEquals(List.of(), pods.snapshot().problems());
        assertEquals(2, pods.snapshot().cluster().pods().size());
    }

    @Test
    void everyModelKeepsItsPlaceSoThatSnapshotsDifferOnlyWhereObjectsChanged() {
        for (String name : List.of("a", "b", "c", "d")) pods.put("lab/" + name, pod(name, "1", "10.244.1.1"));
        assertEquals(List.of("a", "b", "c", "d"), names(pods.snapshot().cluster()));

        pods.put("lab/b", pod("b", "2", "10.244.1.2"));
        assertEquals(List.of("a", "b", "c", "d"), names(pods.snapshot().cluster()), "a new version in its old place");
        pods.put("lab/e", pod("e", "1", "10.244.1.1"));
        assertEquals(List.of("a", "b", "c", "d", "e"), names(pods.snapshot().cluster()), "a new object at the end");
        pods.remove("lab/b");
        assertEquals(List.of("a", "e", "c", "d"), names(pods.snapshot().cluster()), "the last one takes the hole");
        pods.remove("lab/d");
        assertEquals(List.of("a", "e", "c"), names(pods.snapshot().cluster()), "the last one leaves no hole");

        // The moved object's place is where the store now finds it: its next version lands there.
        pods.put("lab/e", pod("e", "2", "10.244.1.5"));
        assertEquals(List.of("a", "e", "c"), names(pods.snapshot().cluster()));
        assertEquals("10.244.1.5", model(pods.snapshot().cluster(), "e").address().orElseThrow().getHostAddress());
        pods.remove("lab/e");
        pods.remove("lab/a");
        assertEquals(List.of("c"), names(pods.snapshot().cluster()));
        assertEquals(1, pods.size());
    }

    @Test
    void problemsGoWithTheirObject() {
        pods.put("lab/bad", pod("bad", "1", "10.244.1.999"));
        pods.put("lab/db", pod("db", "1", "10.244.1.10"));
        assertEquals(1, pods.snapshot().problems().size());
        pods.remove("lab/bad");
        assertEquals(List.of(), pods.snapshot().problems());
        assertEquals(List.of("db"), names(pods.snapshot().cluster()));
    }

    private static List<String> names(Cluster cluster) {
        return cluster.pods().stream().map(p -> p.name().name()).toList();
    }

    @Test
    void clusterScopedObjectsAreKeyedByNameAlone() {
        ModelStore<Namespace> namespaces = new ModelStore<>(Namespace::new);
        Namespace lab = new NamespaceBuilder().withNewMetadata().withName("lab").withResourceVersion("4").endMetadata().build();
        String key = namespaces.getKey(lab);
        assertEquals("lab", key);
        namespaces.put(key, lab);
        Namespace standIn = namespaces.get(key);
        assertNull(standIn.getMetadata().getNamespace());
        assertEquals(key, namespaces.getKey(standIn));
        assertEquals("lab", namespaces.snapshot().cluster().namespaces().getFirst().name());
    }

    private static dev.ferry.agent.model.Pod model(Cluster cluster, String name) {
        return cluster.pods().stream().filter(p -> p.name().name().equals(name)).findFirst().orElseThrow();
    }

    private static Pod pod(String name, String version, String ip) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("lab").withUid("uid-" + name)
                .withResourceVersion(version).addToLabels("app", name)
                .addNewManagedField().withManager("kubelet").withOperation("Update").endManagedField().endMetadata()
                .withNewSpec().withNodeName("node1").addNewContainer().withName("c").withImage("img").endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP(ip).endStatus().build();
    }
}
