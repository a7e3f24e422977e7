package dev.ferry.agent.reconcile;

import dev.ferry.agent.model.Ipv4;
import dev.ferry.agent.model.Protocol;
import dev.ferry.agent.model.ServiceName;
import dev.ferry.agent.translate.Backend;
import dev.ferry.agent.translate.DesiredState;
import dev.ferry.agent.translate.Frontend;
import dev.ferry.agent.translate.FrontendTarget;
import dev.ferry.agent.translate.ServiceFrontends;
import dev.ferry.agent.translate.policy.PolicyState;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A pass looks at the frontends of the services whose part changed, and a clash goes to the first service by name. */
class ServiceClaimsTest {
    private static final ServiceName A = new ServiceName("a", "web"), B = new ServiceName("b", "web");
    private static final Frontend VIP_A = new Frontend(Ipv4.parse("10.96.0.1"), 80, Protocol.TCP);
    private static final Frontend VIP_B = new Frontend(Ipv4.parse("10.96.0.2"), 80, Protocol.TCP);
    private static final Frontend SHARED = new Frontend(Ipv4.parse("192.0.2.7"), 80, Protocol.TCP);

    private final ServiceClaims claims = new ServiceClaims();
    private final Set<Frontend> touched = new TreeSet<>();
    private final Set<Inet4Address> touchedIps = new HashSet<>();

    private static ServiceFrontends service(ServiceName name, Frontend vip, String backend, Frontend... more) {
        TreeMap<Frontend, FrontendTarget> frontends = new TreeMap<>();
        FrontendTarget target = new FrontendTarget(name, "http", List.of(new Backend(Ipv4.parse(backend), 8080)));
        frontends.put(vip, target);
        for (Frontend f : more) frontends.put(f, target);
        return new ServiceFrontends(name, frontends, List.of(vip.vip()), Map.of());
    }

    private DesiredState update(ServiceFrontends... services) {
        touched.clear();
        touchedIps.clear();
        Map<ServiceName, ServiceFrontends> byName = new HashMap<>();
        for (ServiceFrontends s : services) byName.put(s.name(), s);
        DesiredState desired = new DesiredState(byName, List.of(), PolicyState.empty());
        claims.update(desired, touched::add, touchedIps::add);
        return desired;
    }

    @Test
    void theSameInstancesTouchNothingAndAChangedServiceOnlyItsOwn() {
        ServiceFrontends a = service(A, VIP_A, "10.0.0.1"), b = service(B, VIP_B, "10.0.1.1");
        update(a, b);
        assertEquals(Set.of(VIP_A, VIP_B), touched, "the first state touches everything");

        update(a, b);
        assertEquals(Set.of(), touched);
        assertEquals(Set.of(), touchedIps);

        ServiceFrontends b2 = service(B, VIP_B, "10.0.1.2");
        update(a, b2);
        assertEquals(Set.of(VIP_B), touched);
        assertEquals("10.0.1.2", claims.target(VIP_B).backends().getFirst().address().getHostAddress());
    }

    @Test
    void aGoneServiceReleasesItsFrontendsAndClusterIps() {
        ServiceFrontends a = service(A, VIP_A, "10.0.0.1"), b = service(B, VIP_B, "10.0.1.1");
        update(a, b);
        update(a);
        assertEquals(Set.of(VIP_B), touched);
        assertNull(claims.target(VIP_B));
        assertFalse(claims.claimsIp(VIP_B.vip()));
        assertTrue(claims.claimsIp(VIP_A.vip()));
    }

    @Test
    void aClashGoesToTheFirstServiceByNameAndToTheOtherWhenItLeaves() {
        ServiceFrontends a = service(A, VIP_A, "10.0.0.1", SHARED), b = service(B, VIP_B, "10.0.1.1", SHARED);
        DesiredState both = update(b, a);
        assertEquals(A, claims.target(SHARED).service());
        assertEquals(both.frontends().get(SHARED), claims.target(SHARED), "the merged view agrees");

        update(b);
        assertTrue(touched.contains(SHARED));
        assertEquals(B, claims.target(SHARED).service());
    }
}
