package dev.ferry.agent.translate;

import dev.ferry.agent.model.Cluster;
import dev.ferry.agent.model.Endpoint;
import dev.ferry.agent.model.EndpointPort;
import dev.ferry.agent.model.EndpointSlice;
import dev.ferry.agent.model.ExternalAccess;
import dev.ferry.agent.model.Ipv4;
import dev.ferry.agent.model.LocalNode;
import dev.ferry.agent.model.Protocol;
import dev.ferry.agent.model.Service;
import dev.ferry.agent.model.ServiceName;
import dev.ferry.agent.model.ServicePort;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Only the services whose Service or slices are other instances are translated again, and the result equals a fresh translation. */
class CachedServiceTranslatorTest {
    private static final ServiceName WEB = new ServiceName("demo", "web"), DB = new ServiceName("demo", "db");
    private static final LocalNode NODE = new LocalNode("node1", List.of(Ipv4.parse("192.168.1.1")));

    private static Service service(ServiceName name, String vip) {
        return new Service(name, List.of(Ipv4.parse(vip)), List.of(new ServicePort("", 80, Protocol.TCP, 30080)));
    }

    private static EndpointSlice slice(ServiceName name, String address) {
        return new EndpointSlice(name, name.name() + "-1", List.of(new EndpointPort("", 8080, Protocol.TCP)),
                List.of(new Endpoint(Ipv4.parse(address), true, true, false, "node2")));
    }

    @Test
    void anUnchangedServiceKeepsItsInstanceAndAChangedOneIsTranslatedAgain() {
        Service web = service(WEB, "10.96.0.1"), db = service(DB, "10.96.0.2");
        EndpointSlice webSlice = slice(WEB, "10.0.0.1"), dbSlice = slice(DB, "10.0.1.1");
        CachedServiceTranslator translator = new CachedServiceTranslator();
        DesiredState first = translator.translate(new Cluster(List.of(web, db), List.of(webSlice, dbSlice)), NODE);

        // An equal but new slice object is a change as far as identity goes: the source only makes one for a new resourceVersion.
        Cluster moved = new Cluster(List.of(web, db), List.of(webSlice, slice(DB, "10.0.1.2")));
        DesiredState second = translator.translate(moved, NODE);
        assertSame(first.services().get(WEB), second.services().get(WEB));
        assertNotSame(first.services().get(DB), second.services().get(DB));
        assertEquals(ServiceTranslator.translate(moved, NODE).frontends(), second.frontends());
        assertEquals("10.0.1.2", second.services().get(DB).frontends().firstEntry().getValue().backends().getFirst()
                .address().getHostAddress());
    }

    @Test
    void anotherNodeAddressTranslatesEverythingAgain() {
        Cluster cluster = new Cluster(List.of(service(WEB, "10.96.0.1")), List.of(slice(WEB, "10.0.0.1")));
        CachedServiceTranslator translator = new CachedServiceTranslator();
        DesiredState first = translator.translate(cluster, NODE);
        LocalNode renumbered = new LocalNode("node1", List.of(Ipv4.parse("192.168.1.2")));
        DesiredState second = translator.translate(cluster, renumbered);
        assertNotSame(first.services().get(WEB), second.services().get(WEB));
        assertEquals(ServiceTranslator.translate(cluster, renumbered).frontends(), second.frontends());
    }

    @Test
    void servicesAndSlicesComingAndGoingInAnyOrderEqualAFreshTranslation() {
        Service web = service(WEB, "10.96.0.1"), db = service(DB, "10.96.0.2");
        EndpointSlice webSlice = slice(WEB, "10.0.0.1"), dbSlice = slice(DB, "10.0.1.1"), dbSecond = slice(DB, "10.0.1.9");
        // A LoadBalancer with externalTrafficPolicy Local: a healthCheckNodePort, only the ports of this node's endpoints.
        Service webLocal = new Service(WEB, List.of(Ipv4.parse("10.96.0.1")), List.of(new ServicePort("", 80, Protocol.TCP, 30080)),
                false, 0, new ExternalAccess(List.of(), List.of(Ipv4.parse("203.0.113.7")), true, 32000, List.of()));
        CachedServiceTranslator translator = new CachedServiceTranslator();
        List<Cluster> steps = List.of(
                new Cluster(List.of(web), List.of(webSlice, dbSlice)),          // db's slice before db
                new Cluster(List.of(web, db), List.of(webSlice, dbSlice)),      // db arrives
                new Cluster(List.of(db, web), List.of(dbSecond, webSlice, dbSlice)), // a second slice, another order
                new Cluster(List.of(web, db), List.of(webSlice, dbSecond)),     // the first goes
                new Cluster(List.of(webLocal, db), List.of(webSlice, dbSecond)), // web gets a healthCheckNodePort
                new Cluster(List.of(db), List.of(webSlice, dbSecond)),          // web goes, its slice stays a moment
                new Cluster(List.of(service(DB, "10.96.0.3")), List.of()));     // db changes, every slice goes
        int withHealthCheck = 0, withRemoteBackends = 0;
        for (Cluster step : steps) {
            DesiredState cached = translator.translate(step, NODE);
            if (!cached.healthChecks().isEmpty()) withHealthCheck++;
            if (!cached.remoteBackends().isEmpty()) withRemoteBackends++;
            DesiredState fresh = ServiceTranslator.translate(step, NODE);
            assertEquals(fresh.frontends(), cached.frontends(), step.toString());
            assertEquals(fresh.clusterIps(), cached.clusterIps(), step.toString());
            assertEquals(fresh.healthChecks(), cached.healthChecks(), step.toString());
            assertEquals(fresh.remoteBackends(), cached.remoteBackends(), step.toString());
        }
        assertEquals(1, withHealthCheck, "the step with webLocal");
        assertEquals(steps.size() - 1, withRemoteBackends, "every step but the last has a NodePort with endpoints on node2");
    }
}
