package dev.ferry.agent.source;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.ServiceCIDR;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.*;

/** manifests/rbac.yaml lets the agent read exactly the kinds KubernetesSource watches, and write nothing. */
class RbacManifestTest {
    static final List<Class<? extends HasMetadata>> WATCHED = List.of(Service.class, EndpointSlice.class, Node.class,
            ServiceCIDR.class, Pod.class, Namespace.class, NetworkPolicy.class);

    @Test
    void theClusterRoleReadsWhatTheInformersWatchAndNothingElse() throws IOException {
        ClusterRole role;
        try (InputStream in = Files.newInputStream(Path.of("../manifests/rbac.yaml"))) {
            List<?> documents = Serialization.unmarshal(in);
            role = documents.stream().filter(ClusterRole.class::isInstance).map(ClusterRole.class::cast)
                    .findFirst().orElseThrow();
        }
        Set<String> granted = new TreeSet<>();
        for (var rule : role.getRules()) {
            assertEquals(List.of("get", "list", "watch"), rule.getVerbs(), "verbs of " + rule.getResources());
            for (String group : rule.getApiGroups()) rule.getResources().forEach(r -> granted.add(group + "/" + r));
        }
        Set<String> watched = new TreeSet<>();
        WATCHED.forEach(kind -> watched.add(HasMetadata.getGroup(kind) + "/" + HasMetadata.getPlural(kind)));
        assertEquals(watched, granted);
    }
}
