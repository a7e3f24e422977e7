package dev.ferry.agent.reconcile;

import dev.ferry.agent.model.ServiceName;
import dev.ferry.agent.translate.DesiredState;
import dev.ferry.agent.translate.Frontend;
import dev.ferry.agent.translate.FrontendTarget;
import dev.ferry.agent.translate.ServiceFrontends;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Which Services claim which frontends and ClusterIPs, as of the last desired state. A new
 * state moves the claims of the services whose part is another instance than before (changed,
 * added or gone) and names the frontends and addresses they touch, so that a reconcile pass
 * costs the services that changed, not the cluster. Not thread-safe: the reconciler's.
 */
final class ServiceClaims {
    private final Map<ServiceName, ServiceFrontends> services = new HashMap<>();
    /** Claimants by name: almost always one; {@link DesiredState#winner} settles a clash. */
    private final Map<Frontend, SortedSet<ServiceName>> frontends = new HashMap<>();
    private final Map<Inet4Address, Integer> clusterIps = new HashMap<>();

    /** Takes {@code desired}'s claims; every frontend and ClusterIP whose claims moved goes to the sinks. */
    void update(DesiredState desired, Consumer<Frontend> touched, Consumer<Inet4Address> touchedIp) {
        List<ServiceName> changed = new ArrayList<>();
        int stillThere = 0;
        for (var e : desired.services().entrySet()) {
            ServiceFrontends before = services.get(e.getKey());
            if (before != null) stillThere++;
            if (before != e.getValue()) changed.add(e.getKey());
        }
        if (stillThere < services.size()) {
            services.keySet().stream().filter(name -> !desired.services().containsKey(name)).forEach(changed::add);
        }
        for (ServiceName name : changed) {
            ServiceFrontends before = services.remove(name);
            ServiceFrontends after = desired.services().get(name);
            if (before != null) {
                for (Frontend f : before.frontends().keySet()) {
                    SortedSet<ServiceName> claimants = frontends.get(f);
                    claimants.remove(name);
                    if (claimants.isEmpty()) frontends.remove(f);
                    touched.accept(f);
                }
                for (Inet4Address ip : before.clusterIps()) {
                    clusterIps.merge(ip, -1, (a, b) -> a + b == 0 ? null : a + b);
                    touchedIp.accept(ip);
                }
            }
            if (after != null) {
                for (Frontend f : after.frontends().keySet()) {
                    frontends.computeIfAbsent(f, k -> new TreeSet<>()).add(name);
                    touched.accept(f);
                }
                for (Inet4Address ip : after.clusterIps()) {
                    clusterIps.merge(ip, 1, Integer::sum);
                    touchedIp.accept(ip);
                }
                services.put(name, after);
            }
        }
    }

    /** What the frontend should do: the target of the service that gets it; null when none claims it. */
    FrontendTarget target(Frontend f) {
        SortedSet<ServiceName> claimants = frontends.get(f);
        return claimants == null ? null : services.get(DesiredState.winner(claimants)).frontends().get(f);
    }

    boolean claimsIp(Inet4Address ip) {
        return clusterIps.containsKey(ip);
    }
}
