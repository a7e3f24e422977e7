package dev.ferry.agent.lab.netpol;

/**
 * Matches pods named "namespace/pod" by either or both parts; null matches anything, as
 * upstream's empty string does.
 */
public record Peer(String namespace, String pod) {
    /** Every pod. */
    public static Peer any() {
        return new Peer(null, null);
    }

    /** Every pod of one namespace. */
    public static Peer namespace(String namespace) {
        return new Peer(namespace, null);
    }

    /** Pods of this name in every namespace ("a" matches x/a, y/a and z/a). */
    public static Peer podInEveryNamespace(String pod) {
        return new Peer(null, pod);
    }

    /** One pod, "x/a". */
    public static Peer pod(String podString) {
        String[] parts = PodStrings.split(podString);
        return new Peer(parts[0], parts[1]);
    }

    public boolean matches(String podString) {
        String[] parts = PodStrings.split(podString);
        return (namespace == null || namespace.equals(parts[0])) && (pod == null || pod.equals(parts[1]));
    }
}
