package dev.ferry.agent.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

class IncrementalConverterTest {
    private final IncrementalConverter converter = new IncrementalConverter();

    @Test
    void convertingAgainEqualsAFullConversionAndReusesWhatDidNotChange() {
        List<HasMetadata> objects = new ArrayList<>(List.of(
                service("web", "1", "10.96.0.10"), slice("web", "1", "10.244.1.11"),
                service("bad", "1", "not-an-ip"), pod("a", "1", "10.244.1.11"), namespace("lab", "1")));
        Manifests.Parsed first = converter.convert(objects);
        assertEquals(Manifests.convert(objects), first);
        assertEquals(1, first.problems().size(), first.problems().toString());

        objects.set(1, slice("web", "2", "10.244.1.12")); // a new version of the slice
        objects.remove(3); // the pod is gone
        objects.add(service("api", "1", "10.96.0.11"));
        Manifests.Parsed second = converter.convert(objects);
        assertEquals(Manifests.convert(objects), second);
        assertSame(first.cluster().services().getFirst(), second.cluster().services().getFirst(), "unchanged: reused");
        assertNotSame(first.cluster().slices().getFirst(), second.cluster().slices().getFirst());
        assertEquals(first.problems(), second.problems(), "an unchanged invalid object stays reported");

        objects.add(pod("a", "1", "10.244.1.11")); // back again with the uid it had: converted anew
        assertEquals(Manifests.convert(objects), converter.convert(objects));
    }

    @Test
    void objectsWithoutUidOrVersionAreConvertedEveryTime() {
        HasMetadata bare = new ServiceBuilder().withNewMetadata().withName("web").withNamespace("lab").endMetadata()
                .withNewSpec().withClusterIP("10.96.0.10").addNewPort().withName("http").withPort(80).endPort()
                .endSpec().build();
        assertEquals(Manifests.convert(List.of(bare)), converter.convert(List.of(bare)));
        assertEquals(Manifests.convert(List.of(bare)), converter.convert(List.of(bare)));
    }

    private static HasMetadata service(String name, String version, String ip) {
        return new ServiceBuilder().withNewMetadata().withName(name).withNamespace("lab").withUid("svc-" + name)
                .withResourceVersion(version).endMetadata()
                .withNewSpec().withClusterIP(ip).addNewPort().withName("http").withPort(80).withProtocol("TCP").endPort()
                .endSpec().build();
    }

    private static HasMetadata slice(String service, String version, String ip) {
        return new EndpointSliceBuilder().withNewMetadata().withName(service + "-1").withNamespace("lab")
                .withUid("slice-" + service).withResourceVersion(version)
                .addToLabels("kubernetes.io/service-name", service).endMetadata().withAddressType("IPv4")
                .addNewEndpoint().withAddresses(ip).withNodeName("node1").withNewConditions().withReady(true)
                .endConditions().endEndpoint()
                .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort().build();
    }

    private static HasMetadata pod(String name, String version, String ip) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("lab").withUid("pod-" + name)
                .withResourceVersion(version).addToLabels("app", name).endMetadata()
                .withNewSpec().withNodeName("node1").endSpec()
                .withNewStatus().withPhase("Running").withPodIP(ip).endStatus().build();
    }

    private static HasMetadata namespace(String name, String version) {
        return new NamespaceBuilder().withNewMetadata().withName(name).withUid("ns-" + name)
                .withResourceVersion(version).endMetadata().build();
    }
}
