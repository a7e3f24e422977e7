package dev.ferry.agent.k8s;

import dev.ferry.agent.model.Ipv4;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;

import java.net.Inet4Address;

/** Validation shared by the converters: every failure names the object and the field. */
final class Fields {
    private Fields() {
    }

    /** "Kind namespace/name", or "Kind name" for cluster-scoped kinds (Node, ServiceCIDR). */
    static String id(HasMetadata object) {
        var meta = object.getMetadata();
        String name = meta == null ? null : meta.getName();
        if (!(object instanceof Namespaced)) return object.getKind() + " " + name;
        return object.getKind() + " " + namespace(object) + "/" + name;
    }

    static String name(HasMetadata object) throws InvalidObjectException {
        var meta = object.getMetadata();
        if (meta == null || meta.getName() == null || meta.getName().isEmpty()) {
            throw new InvalidObjectException(object.getKind() + " without metadata.name");
        }
        return meta.getName();
    }

    static boolean hasLabel(HasMetadata object, String label) {
        var meta = object.getMetadata();
        return meta != null && meta.getLabels() != null && meta.getLabels().containsKey(label);
    }

    static String namespace(HasMetadata object) {
        var meta = object.getMetadata();
        return meta == null || meta.getNamespace() == null ? "default" : meta.getNamespace();
    }

    /** A literal dotted-quad IPv4 address; never a host name (no DNS lookups here). */
    static Inet4Address ipv4(HasMetadata object, String field, String value) throws InvalidObjectException {
        try {
            return Ipv4.parse(value);
        } catch (IllegalArgumentException e) {
            throw new InvalidObjectException(id(object) + ": " + field + " " + e.getMessage());
        }
    }

    static int port(HasMetadata object, String field, Integer value) throws InvalidObjectException {
        if (value == null || value < 1 || value > 65535) {
            throw new InvalidObjectException(id(object) + ": " + field + " " + value + " is not a port (1-65535)");
        }
        return value;
    }
}
