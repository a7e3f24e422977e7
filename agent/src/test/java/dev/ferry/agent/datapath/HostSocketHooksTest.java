package dev.ferry.agent.datapath;

import dev.ferry.agent.cli.Uninstall;
import dev.ferry.agent.datapath.abi.SockRevnatKey;
import dev.ferry.agent.datapath.abi.SockRevnatValue;
import dev.ferry.agent.lab.FilesystemMount;
import dev.ferry.agent.lab.Client;
import dev.ferry.agent.lab.EchoServer;
import dev.ferry.agent.lab.Lab;
import dev.ferry.agent.lab.Outcome;
import dev.ferry.agent.lab.Reply;
import dev.ferry.agent.model.Cidr;
import dev.ferry.agent.model.Ipv4;
import dev.ferry.agent.model.Protocol;
import dev.ferry.agent.model.ServiceName;
import dev.ferry.agent.reconcile.Reconciler;
import dev.ferry.agent.testing.Privileged;
import dev.ferry.agent.testing.TempBpffs;
import dev.ferry.agent.translate.Backend;
import dev.ferry.agent.translate.DesiredState;
import dev.ferry.agent.translate.Frontend;
import dev.ferry.agent.translate.FrontendTarget;
import dev.ferry.bpf.BpfLink;
import dev.ferry.bpf.LinkInfo;
import dev.ferry.bpf.TcDirection;
import dev.ferry.bpf.TypedMap;
import dev.ferry.sys.NetNs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.function.Executable;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Host-network clients through the sock_addr hooks: a lab node whose own namespace dials
 * ClusterIPs, maps filled by the production reconciler, hooks attached to the machine's cgroup2
 * root through a mount made for the test. Only the node's namespace is translated (netns
 * cookie); the test JVM's, the pods' and every other process's sockets pass untouched. The
 * destructive cases (restart, detach, uninstall) run last, in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostSocketHooksTest {
    static final String WEB = "10.244.1.10", OTHER = "10.244.1.11", VIP = "10.96.0.10", EMPTY_VIP = "10.96.0.20",
            LOCAL_VIP = "10.96.0.30", UNALLOCATED = "10.96.0.99";
    static final int PORT = 8080;
    static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final Deque<AutoCloseable> cleanup = new ArrayDeque<>();
    private TempBpffs bpffs;
    private Lab lab;
    private EchoServer web;
    private Datapath datapath;
    private FilesystemMount cgroup;
    private long nodeCookie;
    private HostSocketHooks hooks;
    private Client node;

    /** JUnit runs {@link #tearDown} also when this fails half-way: each resource is registered as it is made. */
    @BeforeAll
    void setUp() throws Exception {
        Privileged.require();
        bpffs = closing(new TempBpffs());
        lab = closing(Lab.builder().node("n1").pod("n1", "web", WEB).pod("n1", "other", OTHER).build());
        web = lab.startEcho("web", PORT);
        datapath = closing(Datapath.load(bpffs.root(), new Datapath.Settings(Ipv4.parse("169.254.42.1"))));
        new Reconciler(datapath.serviceMaps()).apply(services());
        cgroup = closing(FilesystemMount.cgroup2Temporary());
        nodeCookie = NetNs.cookie(lab.nodeNs("n1"));
        hooks = HostSocketHooks.load(datapath, nodeCookie);
        cleanup.push(() -> {
            hooks.detach(); // the hooks sit on the machine's root cgroup: end them whatever happened
            hooks.close();
        });
        hooks.attach(cgroup.path());
        node = lab.clientIn(lab.nodeNs("n1"));
    }

    private <T extends AutoCloseable> T closing(T resource) {
        cleanup.push(resource);
        return resource;
    }

    @AfterAll
    void tearDown() throws Exception {
        Exception first = null;
        while (!cleanup.isEmpty()) {
            try {
                cleanup.pop().close();
            } catch (Exception e) {
                if (first == null) first = e; else first.addSuppressed(e);
            }
        }
        if (first != null) throw first;
    }

    /** ClusterIP web (TCP 80 and UDP 53 -> the pod's 8080), one without endpoints, one Local without a local one. */
    static DesiredState services() {
        ServiceName name = new ServiceName("t", "web"), empty = new ServiceName("t", "empty");
        List<Backend> pod = List.of(new Backend(Ipv4.parse(WEB), PORT));
        TreeMap<Frontend, FrontendTarget> frontends = new TreeMap<>();
        frontends.put(new Frontend(Ipv4.parse(VIP), 80, Protocol.TCP), new FrontendTarget(name, "http", pod));
        frontends.put(new Frontend(Ipv4.parse(VIP), 53, Protocol.UDP), new FrontendTarget(name, "dns", pod));
        frontends.put(new Frontend(Ipv4.parse(EMPTY_VIP), 80, Protocol.TCP), new FrontendTarget(empty, "http", List.of()));
        frontends.put(new Frontend(Ipv4.parse(EMPTY_VIP), 53, Protocol.UDP), new FrontendTarget(empty, "dns", List.of()));
        frontends.put(new Frontend(Ipv4.parse(LOCAL_VIP), 80, Protocol.TCP),
                new FrontendTarget(new ServiceName("t", "local"), "http", List.of(), true, 0, false, List.of()));
        var clusterIps = new TreeSet<>(Ipv4::compare);
        clusterIps.addAll(List.of(Ipv4.parse(VIP), Ipv4.parse(EMPTY_VIP), Ipv4.parse(LOCAL_VIP)));
        return DesiredState.of(frontends, clusterIps, Set.of(Cidr.parse("10.96.0.0/16")));
    }

    private TypedMap<SockRevnatKey, SockRevnatValue> revnat() {
        return hooks.map("sock_revnat_v1").typed(SockRevnatKey.CODEC, SockRevnatValue.CODEC);
    }

    private static InetSocketAddress address(String ip, int port) {
        return new InetSocketAddress(Ipv4.parse(ip), port);
    }

    @Test
    @Order(1)
    void tcpToTheClusterIpReachesThePodAndGetpeernameShowsTheVip() throws Exception {
        Reply reply = node.tcpRequestAskingPeer(VIP, 80, TIMEOUT);
        assertEquals("web", reply.server());
        assertEquals(address(VIP, 80), reply.remote(), "getpeername() shows the VIP, not the pod");
        assertTrue(revnat().entries().entrySet().stream().anyMatch(e ->
                        e.getKey().backend().equals(Ipv4.parse(WEB)) && e.getKey().backendPort() == PORT
                                && e.getValue().equals(new SockRevnatValue(Ipv4.parse(VIP), 80))),
                "the socket's translation is remembered: " + revnat().entries());
    }

    @Test
    @Order(2)
    void unconnectedUdpGetsItsAnswerFromTheVip() throws Exception {
        Reply reply = node.udpSendTo(VIP, 53, TIMEOUT);
        assertEquals("web", reply.server());
        assertEquals(address(VIP, 53), reply.remote(), "recvfrom() shows the VIP as the source");
    }

    @Test
    @Order(3)
    void connectedUdpReachesThePod() throws Exception {
        assertEquals("web", node.udpRequest(VIP, 53, TIMEOUT).server());
    }

    @Test
    @Order(4)
    void aServiceWithoutEndpointsIsRefusedAtOnce() {
        long start = System.nanoTime();
        assertEquals(Outcome.REFUSED, node.tcpProbe(EMPTY_VIP, 80, TIMEOUT));
        assertEquals(Outcome.REFUSED, node.udpProbe(EMPTY_VIP, 53, TIMEOUT), "connect() of a UDP socket");
        IOException sendTo = assertThrows(IOException.class, () -> node.udpSendTo(EMPTY_VIP, 53, TIMEOUT));
        assertTrue(sendTo.getMessage().contains("Connection refused"), "sendto() itself fails: " + sendTo);
        assertTrue(System.nanoTime() - start < TIMEOUT.toNanos(), "refused by the system call, not timed out");
    }

    @Test
    @Order(5)
    void unservedPortsAndUnreachableServicesFailAsKubeProxyWould() {
        assertEquals(Outcome.REFUSED, node.tcpProbe(VIP, 81, TIMEOUT), "allocated ClusterIP, port not served: rejected");
        assertEquals(Outcome.UNREACHABLE, node.tcpProbe(UNALLOCATED, 80, TIMEOUT), "unallocated address in a ServiceCIDR");
        assertEquals(Outcome.UNREACHABLE, node.tcpProbe(LOCAL_VIP, 80, TIMEOUT), "internalTrafficPolicy Local, no local endpoint");
    }

    @Test
    @Order(6)
    void anAddressThatIsNoServiceIsLeftAlone() throws Exception {
        int before = revnat().entries().size();
        Reply reply = node.tcpRequestAskingPeer(WEB, PORT, TIMEOUT);
        assertEquals("web", reply.server());
        assertEquals(address(WEB, PORT), reply.remote());
        assertEquals(before, revnat().entries().size(), "nothing to remember for a direct connection");
    }

    @Test
    @Order(7)
    void socketsOfAnotherNamespaceAreNotTranslated() throws Exception {
        long connections = web.tcpConnections();
        assertNotEquals(nodeCookie, NetNs.cookie(lab.podNs("other")));
        // The pod's connect() keeps the VIP; with no TC program on its veth and no route for it on
        // the node, the VIP is unreachable from there.
        assertNotEquals(Outcome.OK, lab.client("other").tcpProbe(VIP, 80, TIMEOUT));
        assertEquals(connections, web.tcpConnections(), "nothing reached the backend");
        // Yet the same node's own sockets still are.
        assertEquals("web", node.tcpRequest(VIP, 80, TIMEOUT).server());
    }

    @Test
    @Order(8)
    void podInterfaceSyncLeavesTheHooksPinsAlone() {
        Path links = bpffs.root().resolve("links");
        new InterfaceAttacher(bpffs.root(), List.of(InterfaceAttacher.Hook.tc(datapath.fromPod(), TcDirection.INGRESS,
                new InterfaceGlobs(List.of("fnomatch*"))::matches)), attached -> { })
                .sync(); // removes link pins of interfaces that are gone
        for (HostSocketHooks.Hook hook : HostSocketHooks.Hook.values()) {
            assertTrue(Files.exists(links.resolve(hook.pinName())), hook.pinName());
        }
    }

    @Test
    @Order(100)
    void aRestartedAgentTakesOverThePinnedLinks() throws Exception {
        Map<HostSocketHooks.Hook, LinkInfo> before = hooks.attached();
        assertEquals(4, before.size());
        hooks.close(); // the agent stops: pins keep the hooks attached
        assertEquals("web", node.tcpRequestAskingPeer(VIP, 80, TIMEOUT).server(), "fail open: still translated");

        hooks = HostSocketHooks.load(datapath, nodeCookie).attach(cgroup.path());
        Map<HostSocketHooks.Hook, LinkInfo> after = hooks.attached();
        for (HostSocketHooks.Hook hook : HostSocketHooks.Hook.values()) {
            assertEquals(before.get(hook).id(), after.get(hook).id(), hook + ": the same link, updated in place");
            assertNotEquals(before.get(hook).programId(), after.get(hook).programId(), hook + ": the new program");
            assertEquals(before.get(hook).cgroupId(), after.get(hook).cgroupId());
        }
        Reply reply = node.tcpRequestAskingPeer(VIP, 80, TIMEOUT);
        assertEquals(address(VIP, 80), reply.remote());
    }

    @Test
    @Order(101)
    void detachEndsTheTranslationAndLeavesNoLink() throws Throwable {
        assertDetachedBy(() -> hooks.detach());
        for (HostSocketHooks.Hook hook : HostSocketHooks.Hook.values()) {
            assertFalse(Files.exists(bpffs.root().resolve("links").resolve(hook.pinName())), hook.pinName());
        }
        assertTrue(hooks.attached().isEmpty());
        assertNotEquals(Outcome.OK, node.tcpProbe(VIP, 80, TIMEOUT), "the VIP is no longer translated");
    }

    @Test
    @Order(102)
    void uninstallDetachesPinnedHooks() throws Throwable {
        hooks.attach(cgroup.path());
        assertEquals("web", node.tcpRequest(VIP, 80, TIMEOUT).server());
        assertDetachedBy(() -> {
            hooks.close(); // the agent is gone; only the pins hold the links
            Uninstall.run(bpffs.root());
        });
        assertFalse(Files.exists(bpffs.root().resolve("links")));
        assertNotEquals(Outcome.OK, node.tcpProbe(VIP, 80, TIMEOUT));
    }

    /** Holds every pinned hook link open across {@code action}, then checks that each one is defunct. */
    private void assertDetachedBy(Executable action) throws Throwable {
        List<BpfLink> observers = new ArrayList<>();
        try {
            for (HostSocketHooks.Hook hook : HostSocketHooks.Hook.values()) {
                observers.add(BpfLink.openPinned(bpffs.root().resolve("links").resolve(hook.pinName())));
            }
            action.execute();
            for (BpfLink link : observers) {
                assertEquals(0, link.info().cgroupId(), "detached: the link names no cgroup any more");
            }
        } finally {
            observers.forEach(BpfLink::close);
        }
    }
}
