package dev.ferry.agent.reconcile;

import dev.ferry.agent.model.ServiceName;
import dev.ferry.agent.translate.DesiredState;
import dev.ferry.agent.translate.Frontend;
import dev.ferry.agent.translate.FrontendTarget;
import dev.ferry.agent.translate.ServiceFrontends;
import dev.ferry.agent.translate.ShardedMap;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Which Services claim which frontends and ClusterIPs, as of the last desired state. A new
 * state moves the claims of the services whose part is another instance than before (changed,
 * added or gone), found by comparing the two states' service maps, which costs the services
 * that changed ({@link ShardedMap#changesSince}); it names the frontends and addresses they
 * touch, so that a reconcile pass costs the services that changed, not the cluster. Not
 * thread-safe: the reconciler's.
 */
final class ServiceClaims {
    private ShardedMap<ServiceName, ServiceFrontends> services = ShardedMap.empty();
    /**
     * Claimants sorted by name, {@link DesiredState#winner} settling a clash. Almost always one,
     * so an immutable list, replaced on change, instead of a sorted set per frontend.
     */
    private final Map<Frontend, List<ServiceName>> frontends = new HashMap<>();
    private final Map<Inet4Address, Integer> clusterIps = new HashMap<>();

    /** Takes {@code desired}'s claims; every frontend and ClusterIP whose claims moved goes to the sinks. */
    void update(DesiredState desired, Consumer<Frontend> touched, Consumer<Inet4Address> touchedIp) {
        desired.services().changesSince(services, (name, before, after) -> {
            if (before != null) {
                for (Frontend f : before.frontends().keySet()) {
                    frontends.computeIfPresent(f, (k, claimants) -> without(claimants, name));
                    touched.accept(f);
                }
                for (Inet4Address ip : before.clusterIps()) {
                    clusterIps.merge(ip, -1, (a, b) -> a + b == 0 ? null : a + b);
                    touchedIp.accept(ip);
                }
            }
            if (after != null) {
                for (Frontend f : after.frontends().keySet()) {
                    frontends.merge(f, List.of(name), (claimants, one) -> with(claimants, name));
                    touched.accept(f);
                }
                for (Inet4Address ip : after.clusterIps()) {
                    clusterIps.merge(ip, 1, Integer::sum);
                    touchedIp.accept(ip);
                }
            }
        });
        services = desired.services();
    }

    /** What the frontend should do: the target of the service that gets it; null when none claims it. */
    FrontendTarget target(Frontend f) {
        List<ServiceName> claimants = frontends.get(f);
        return claimants == null ? null : services.get(DesiredState.winner(claimants)).frontends().get(f);
    }

    private static List<ServiceName> with(List<ServiceName> claimants, ServiceName name) {
        if (claimants.contains(name)) return claimants;
        List<ServiceName> more = new ArrayList<>(claimants);
        more.add(name);
        more.sort(null);
        return List.copyOf(more);
    }

    /** Null (no claim left, the entry goes) when name was the last. */
    private static List<ServiceName> without(List<ServiceName> claimants, ServiceName name) {
        List<ServiceName> fewer = claimants.stream().filter(n -> !n.equals(name)).toList();
        return fewer.isEmpty() ? null : fewer;
    }

    boolean claimsIp(Inet4Address ip) {
        return clusterIps.containsKey(ip);
    }
}
