package dev.ferry.agent.k8s;

import dev.ferry.agent.translate.Txtar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** The lean reading leaves out only what no converter reads. */
class LeanSerializationTest {
    private static final KubernetesSerialization FULL = new KubernetesSerialization();
    private static final KubernetesSerialization LEAN = LeanSerialization.create();

    /** Every golden case's objects (valid and invalid) convert to the same models and problems either way. */
    @TestFactory
    Stream<DynamicTest> everyGoldenInputConvertsTheSameWhenReadLeanly() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("src/test/resources/golden"))) {
            return files.filter(p -> p.toString().endsWith(".txtar")).sorted().toList().stream()
                    .map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
                        String yaml = Txtar.parse(Files.readString(p)).section("input.yaml");
                        assertEquals(Manifests.convert(read(FULL, yaml)), Manifests.convert(read(LEAN, yaml)));
                    }));
        }
    }

    @Test
    void aPodKeepsWhatPolicyReadsAndDropsTheRest() {
        Pod pod = new PodBuilder().withNewMetadata().withName("db").withNamespace("lab").withUid("u1").withResourceVersion("9")
                .addToLabels("app", "db").addToAnnotations("kubectl.kubernetes.io/last-applied-configuration", "{...}")
                .addNewManagedField().withManager("kubelet").withOperation("Update").endManagedField().endMetadata()
                .withNewSpec().withNodeName("node1").withHostNetwork(false)
                .addNewContainer().withName("app").withImage("db:1").addNewEnv().withName("A").withValue("1").endEnv()
                .addNewPort().withName("sql").withContainerPort(5432).withProtocol("TCP").endPort().endContainer()
                .addNewInitContainer().withName("proxy").withRestartPolicy("Always")
                .addNewPort().withName("proxy").withContainerPort(15001).endPort().endInitContainer()
                .addNewInitContainer().withName("setup").addNewPort().withName("setup").withContainerPort(9).endPort().endInitContainer()
                .addNewVolume().withName("data").withNewEmptyDir().endEmptyDir().endVolume().endSpec()
                .withNewStatus().withPhase("Running").withPodIP("10.244.1.10").addNewPodIP("10.244.1.10").addNewPodIP("fd00::a")
                .addNewCondition().withType("Ready").withStatus("True").endCondition()
                .addNewContainerStatus().withName("app").withReady(true).endContainerStatus().endStatus().build();

        Pod lean = LEAN.unmarshal(FULL.asJson(pod), Pod.class);
        assertEquals(convert(pod), convert(lean));
        assertEquals("9", lean.getMetadata().getResourceVersion());
        assertTrue(lean.getMetadata().getManagedFields().isEmpty(), "managedFields not read");
        assertTrue(lean.getMetadata().getAnnotations().isEmpty(), "annotations not read");
        assertNull(lean.getSpec().getContainers().getFirst().getImage(), "container image not read");
        assertTrue(lean.getSpec().getContainers().getFirst().getEnv().isEmpty(), "container env not read");
        assertTrue(lean.getSpec().getVolumes().isEmpty(), "volumes not read");
        assertTrue(lean.getStatus().getConditions().isEmpty(), "conditions not read");
        assertTrue(lean.getStatus().getContainerStatuses().isEmpty(), "container statuses not read");
        assertTrue(lean.getAdditionalProperties().isEmpty() && lean.getSpec().getAdditionalProperties().isEmpty(),
                "what is left out is skipped, not kept aside");
    }

    @Test
    void anEndpointKeepsWhatServicesReadAndDropsItsTargetRef() {
        EndpointSlice slice = new EndpointSliceBuilder().withNewMetadata().withName("web-1").withNamespace("lab")
                .addToLabels("kubernetes.io/service-name", "web").endMetadata().withAddressType("IPv4")
                .addNewEndpoint().withAddresses("10.244.1.11").withNodeName("node1").withZone("a")
                .withNewConditions().withReady(false).withServing(true).withTerminating(true).endConditions()
                .withNewHints().addNewForZone("a").addNewForNode("node1").endHints()
                .withNewTargetRef().withKind("Pod").withName("web-x").withNamespace("lab").endTargetRef().endEndpoint()
                .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort().build();

        EndpointSlice lean = LEAN.unmarshal(FULL.asJson(slice), EndpointSlice.class);
        assertEquals(convert(slice), convert(lean));
        assertNull(lean.getEndpoints().getFirst().getTargetRef(), "targetRef not read");
        assertNull(lean.getEndpoints().getFirst().getZone(), "zone not read");
    }

    @Test
    void aServiceAndANodeKeepWhatTheirConvertersRead() {
        var service = new ServiceBuilder().withNewMetadata().withName("web").withNamespace("lab")
                .addToAnnotations("note", "x").endMetadata()
                .withNewSpec().withType("LoadBalancer").withClusterIP("10.96.0.10").withExternalTrafficPolicy("Local")
                .withHealthCheckNodePort(30999).withSessionAffinity("ClientIP").withNewSessionAffinityConfig().withNewClientIP()
                .withTimeoutSeconds(60).endClientIP().endSessionAffinityConfig()
                .addNewPort().withName("http").withPort(80).withNodePort(30080).withProtocol("TCP").endPort().endSpec()
                .withNewStatus().withNewLoadBalancer().addNewIngress().withIp("192.0.2.1").endIngress().endLoadBalancer()
                .endStatus().build();
        assertEquals(convert(service), convert(LEAN.unmarshal(FULL.asJson(service), io.fabric8.kubernetes.api.model.Service.class)));

        var node = new NodeBuilder().withNewMetadata().withName("node1").addToLabels(NodeConverter.ZONE_LABEL, "a").endMetadata()
                .withNewStatus().addNewImage().withNames("registry.example/app:1.0").withSizeBytes(1L).endImage().endStatus().build();
        var lean = LEAN.unmarshal(FULL.asJson(node), io.fabric8.kubernetes.api.model.Node.class);
        assertEquals(convert(node), convert(lean));
        assertNull(lean.getStatus(), "a node's status not read");
    }

    private static Manifests.Parsed convert(HasMetadata object) {
        return Manifests.convert(List.of(object));
    }

    private static List<HasMetadata> read(KubernetesSerialization serialization, String yaml) {
        List<HasMetadata> out = new ArrayList<>();
        flatten(serialization.unmarshal(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))), out);
        return out;
    }

    private static void flatten(Object parsed, List<HasMetadata> into) {
        switch (parsed) {
            case KubernetesList list -> list.getItems().forEach(item -> flatten(item, into));
            case List<?> list -> list.forEach(item -> flatten(item, into));
            case HasMetadata object -> into.add(object);
            default -> fail("not a Kubernetes object: " + parsed);
        }
    }
}
