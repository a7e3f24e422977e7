package dev.ferry.agent.k8s;

import com.fasterxml.jackson.annotation.JsonIncludeProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * How the agent's API client reads objects: only the fields the converters use of the bulky
 * parts, everything else skipped while parsing. fabric8 parses a whole list response into
 * objects before its informer hands them on, so at the start every Pod and EndpointSlice of the
 * cluster exists at once as a fabric8 object; what is not read here is never built: metadata's
 * managedFields and annotations, a Pod's container specs and statuses, an endpoint's targetRef,
 * a Node's status. Kinds the converters read all of (Service, NetworkPolicy) stay whole but for
 * their metadata.
 * <p>
 * Only the API client reads this way; a services file is read whole. The converters must not
 * start reading a field left out here: {@code LeanSerializationTest} converts rich objects both
 * ways and compares.
 */
public final class LeanSerialization {
    private LeanSerialization() {
    }

    @JsonIncludeProperties({"name", "namespace", "uid", "resourceVersion", "labels"})
    private interface MetadataRead {
    }

    @JsonIncludeProperties({"nodeName", "hostNetwork", "containers", "initContainers"})
    private interface PodSpecRead {
    }

    @JsonIncludeProperties({"name", "ports", "restartPolicy"})
    private interface ContainerRead {
    }

    @JsonIncludeProperties({"phase", "podIP", "podIPs"})
    private interface PodStatusRead {
    }

    @JsonIncludeProperties({"addresses", "conditions", "nodeName", "hints"})
    private interface EndpointRead {
    }

    /** A Node is watched for its zone label alone; its status (images, conditions) is the bulk. */
    @JsonIncludeProperties({"apiVersion", "kind", "metadata"})
    private interface NodeRead {
    }

    public static KubernetesSerialization create() {
        ObjectMapper mapper = new ObjectMapper()
                .addMixIn(ObjectMeta.class, MetadataRead.class)
                .addMixIn(PodSpec.class, PodSpecRead.class)
                .addMixIn(Container.class, ContainerRead.class)
                .addMixIn(PodStatus.class, PodStatusRead.class)
                .addMixIn(Endpoint.class, EndpointRead.class)
                .addMixIn(Node.class, NodeRead.class);
        return new KubernetesSerialization(mapper, true);
    }
}
