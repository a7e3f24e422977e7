package dev.ferry.agent.lab.netpol;

/** Pods as upstream's netpol e2e names them, "namespace/pod" ("x/a"). */
public final class PodStrings {
    private PodStrings() {
    }

    public static String of(String namespace, String pod) {
        return namespace + "/" + pod;
    }

    /** {namespace, pod}. */
    static String[] split(String podString) {
        String[] parts = podString.split("/", -1);
        if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new IllegalArgumentException("expected namespace/pod such as x/a, got '" + podString + "'");
        }
        return parts;
    }

    public static String namespace(String podString) {
        return split(podString)[0];
    }

    public static String name(String podString) {
        return split(podString)[1];
    }

    /** The lab's name for the pod's network namespace suffix: "x-a" (a lab name can not hold '/'). */
    public static String labName(String podString) {
        String[] parts = split(podString);
        return parts[0] + "-" + parts[1];
    }
}
