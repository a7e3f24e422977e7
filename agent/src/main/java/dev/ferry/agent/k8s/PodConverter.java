package dev.ferry.agent.k8s;

import dev.ferry.agent.model.ContainerPort;
import dev.ferry.agent.model.Pod;
import dev.ferry.agent.model.PodName;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/** fabric8 Pod -> model Pod: what NetworkPolicy needs of it. */
public final class PodConverter {
    private PodConverter() {
    }

    public static Pod convert(io.fabric8.kubernetes.api.model.Pod pod) throws InvalidObjectException {
        String name = Fields.name(pod);
        var labels = new TreeMap<String, String>();
        if (pod.getMetadata().getLabels() != null) labels.putAll(pod.getMetadata().getLabels());
        var spec = pod.getSpec();
        var status = pod.getStatus();
        String phase = status == null ? null : status.getPhase();
        boolean terminal = "Succeeded".equals(phase) || "Failed".equals(phase);
        boolean hostNetwork = spec != null && Boolean.TRUE.equals(spec.getHostNetwork());
        String nodeName = spec == null || spec.getNodeName() == null ? "" : spec.getNodeName();
        return new Pod(new PodName(Fields.namespace(pod), name), labels, address(pod), nodeName, hostNetwork, terminal,
                namedPorts(pod));
    }

    /** The IPv4 one of status.podIPs (status.podIP for older API servers); IPv6 is not Ferry's. */
    private static Optional<Inet4Address> address(io.fabric8.kubernetes.api.model.Pod pod) throws InvalidObjectException {
        var status = pod.getStatus();
        if (status == null) return Optional.empty();
        List<String> ips = new ArrayList<>();
        if (status.getPodIPs() != null) status.getPodIPs().forEach(ip -> ips.add(ip.getIp()));
        if (ips.isEmpty() && status.getPodIP() != null) ips.add(status.getPodIP());
        for (String ip : ips) {
            if (ip != null && !ip.isEmpty() && !ip.contains(":")) return Optional.of(Fields.ipv4(pod, "status.podIPs", ip));
        }
        return Optional.empty();
    }

    /** Named ports of the containers and of sidecars (init containers that keep running). */
    private static List<ContainerPort> namedPorts(io.fabric8.kubernetes.api.model.Pod pod) throws InvalidObjectException {
        List<ContainerPort> out = new ArrayList<>();
        if (pod.getSpec() == null) return out;
        List<io.fabric8.kubernetes.api.model.Container> containers = new ArrayList<>();
        if (pod.getSpec().getContainers() != null) containers.addAll(pod.getSpec().getContainers());
        if (pod.getSpec().getInitContainers() != null) {
            pod.getSpec().getInitContainers().stream().filter(c -> "Always".equals(c.getRestartPolicy())).forEach(containers::add);
        }
        for (var container : containers) {
            if (container.getPorts() == null) continue;
            for (var port : container.getPorts()) {
                if (port.getName() == null || port.getName().isEmpty()) continue;
                String field = "containers[" + container.getName() + "].ports[" + port.getName() + "]";
                out.add(new ContainerPort(port.getName(), ServiceConverter.protocol(pod, port.getProtocol()),
                        Fields.port(pod, field + ".containerPort", port.getContainerPort())));
            }
        }
        return out;
    }
}
