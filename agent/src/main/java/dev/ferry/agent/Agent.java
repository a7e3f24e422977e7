package dev.ferry.agent;

import dev.ferry.agent.datapath.Datapath;
import dev.ferry.agent.datapath.DropEvents;
import dev.ferry.agent.datapath.InterfaceGlobs;
import dev.ferry.agent.datapath.NodeAddresses;
import dev.ferry.agent.datapath.HostSocketHooks;
import dev.ferry.agent.datapath.InterfaceAttacher;
import dev.ferry.agent.datapath.NeighborKeeper;
import dev.ferry.agent.datapath.NodeInterfaces;
import dev.ferry.agent.http.AgentEndpoints;
import dev.ferry.agent.http.HealthCheckNodePorts;
import dev.ferry.agent.http.ProxyHealth;
import dev.ferry.agent.k8s.ClientFactory;
import dev.ferry.agent.metrics.DatapathMetrics;
import dev.ferry.agent.metrics.DropEventLog;
import dev.ferry.agent.metrics.InitialSyncMetrics;
import dev.ferry.agent.metrics.MetricRegistry;
import dev.ferry.agent.metrics.SyncMetrics;
import dev.ferry.agent.model.Cluster;
import dev.ferry.agent.model.LocalNode;
import dev.ferry.agent.reconcile.ApplyResult;
import dev.ferry.agent.reconcile.PolicyApplyResult;
import dev.ferry.agent.reconcile.PolicyReconciler;
import dev.ferry.agent.reconcile.ReconcileLoop;
import dev.ferry.agent.reconcile.Reconciler;
import dev.ferry.agent.reconcile.SyncObserver;
import dev.ferry.agent.source.ClusterSink;
import dev.ferry.agent.source.ClusterSource;
import dev.ferry.agent.source.KubernetesSource;
import dev.ferry.agent.source.ServicesFileSource;
import dev.ferry.agent.translate.CachedServiceTranslator;
import dev.ferry.agent.translate.policy.CachedPolicyCompiler;

import dev.ferry.bpf.TcDirection;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.net.Inet4Address;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * `ferry agent`: load the datapath, keep it attached to pod interfaces, keep its maps equal to
 * what the source says. Stopping the agent leaves programs and maps in place (fail open).
 */
public final class Agent implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Agent.class.getName());
    /**
     * The least time between two snapshots from the API server: a lone change goes at once, a
     * burst gathers this long (kube-proxy's minSyncPeriod is 1 s).
     */
    public static final Duration COALESCE = Duration.ofMillis(50);
    /** How often datapath counters are copied into the metrics; scrapes come every 15-60 s. */
    static final Duration METRICS_REFRESH = Duration.ofSeconds(5);

    private final Datapath datapath;
    private final InterfaceAttacher attacher;
    private final HealthCheckNodePorts healthCheckNodePorts;
    private final HostSocketHooks hostSockets;
    private final ReconcileLoop reconcileLoop;
    private final ClusterSource source;
    private final KubernetesClient client;
    private final AgentEndpoints endpoints;
    private final DatapathMetrics datapathMetrics;
    private final DropEvents dropEvents;
    private final NodeAddresses nodeAddresses;
    private final String nodeName;
    private final Inet4Address hairpinAddress;
    private volatile Cluster lastCluster;
    /** Used under translateAndSubmit's lock only. */
    private final CachedPolicyCompiler policyCompiler = new CachedPolicyCompiler();
    private final CachedServiceTranslator serviceTranslator = new CachedServiceTranslator();

    private Agent(AgentConfig config) {
        nodeName = config.nodeName();
        hairpinAddress = config.hairpinAddress();
        MetricRegistry metrics = new MetricRegistry();
        ProxyHealth health = new ProxyHealth(InstantSource.system(), ProxyHealth.DEFAULT_TIMEOUT);
        // First, so a port in use stops the agent before it touches the datapath.
        endpoints = AgentEndpoints.start(config.metricsBindAddress(), config.healthzBindAddress(), metrics, health);
        datapath = Datapath.load(config.bpffsRoot(),
                new Datapath.Settings(config.hairpinAddress(), config.maglevTableSize(), config.lbMapMax()));
        // Restore before anything attaches: the pinned maps already carry the last agent's state.
        Reconciler reconciler = new Reconciler(datapath.serviceMaps());
        PolicyReconciler policyReconciler = new PolicyReconciler(datapath.policyMaps());
        DropEventLog dropLog = new DropEventLog(metrics);
        healthCheckNodePorts = new HealthCheckNodePorts(config.healthzBindAddress() == null
                ? "0.0.0.0" : config.healthzBindAddress().host(), health);
        NeighborKeeper neighbors = new NeighborKeeper();
        InitialSyncMetrics initialSync = new InitialSyncMetrics(metrics, InstantSource.system(),
                ProcessHandle.current().info().startInstant().orElseGet(Instant::now));
        reconcileLoop = new ReconcileLoop(desired -> {
            ApplyResult result = reconciler.apply(desired);
            PolicyApplyResult policy = policyReconciler.apply(desired.policy());
            dropLog.publish(new DropEventLog.Names(desired.policy().podNames(), policyReconciler.identities()));
            if (policy.changedAnything() || !policy.errors().isEmpty()) {
                LOG.log(System.Logger.Level.INFO, "policy synced: {0}", policy);
            }
            healthCheckNodePorts.sync(desired.healthChecks());
            neighbors.keep(desired.remoteBackends());
            return result.withErrors(policy.errors());
        }, health
                .andThen(new SyncMetrics(metrics, InstantSource.system()))
                .andThen(initialSync)
                .andThen(SyncObserver.afterEachPass(result -> {
                    logApplied(result);
                    // In the pass, after the frontends are gone: their flows end too.
                    int ended = datapath.conntrack().endFlowsOf(java.util.Set.copyOf(result.removedServiceIds()));
                    if (ended > 0) {
                        LOG.log(System.Logger.Level.INFO, "ended {0} conntrack entries of removed frontends", ended);
                    }
                })));
        InterfaceGlobs podInterfaces = new InterfaceGlobs(config.podInterfaces());
        NodeInterfaces nodeInterfaces = new NodeInterfaces(new InterfaceGlobs(config.nodePortInterfaces()), podInterfaces,
                config.nodePortAddresses(), datapath.nodeportInterfaces());
        attacher = new InterfaceAttacher(config.bpffsRoot(), List.of(
                InterfaceAttacher.Hook.tc(datapath.fromPod(), TcDirection.INGRESS, podInterfaces::matches),
                InterfaceAttacher.Hook.tc(datapath.toPod(), TcDirection.EGRESS, podInterfaces::matches),
                InterfaceAttacher.Hook.xdp(datapath.fromNode(), nodeInterfaces::selects)),
                nodeInterfaces::update).start();
        // Last: it adopts the maps the other objects pinned. Host-network clients then reach services too.
        hostSockets = HostSocketHooks.load(datapath).attach(config.cgroupRoot());
        // No program of an older Ferry is attached any more: what it alone read can go.
        datapath.unpinCarriedOverMaps();
        // Either source hands on complete states only (whole file, synced informers), so nothing
        // live is ever deleted for lack of knowledge. Node address changes re-translate the last one.
        nodeAddresses = new NodeAddresses(config.nodePortAddresses(),
                addresses -> translateAndSubmit(Instant.now()));
        ClusterSink toReconciler = new ClusterSink() {
            @Override
            public void accept(Cluster cluster, Instant changeSeenAt) {
                lastCluster = cluster;
                translateAndSubmit(changeSeenAt);
            }

            @Override
            public void complete(Instant at) {
                initialSync.sourceComplete(at);
            }
        };
        if (config.servicesFile() != null) {
            client = null;
            source = new ServicesFileSource(config.servicesFile(), Duration.ofMillis(200), toReconciler).start();
        } else {
            client = ClientFactory.create(config.kubeconfig(), config.master());
            source = new KubernetesSource(client, config.nodeName(), COALESCE, toReconciler).start();
        }
        nodeAddresses.start(Duration.ofSeconds(1));
        dropEvents = DropEvents.start(datapath, dropLog);
        datapathMetrics = new DatapathMetrics(metrics, datapath::counters, source::invalidObjects,
                reconciler::usage).start(METRICS_REFRESH);
        LOG.log(System.Logger.Level.INFO, "agent running on node {0}: bpffs {1}, pod interfaces {2}, {3} attachments, "
                        + "services from {4}", config.nodeName(), config.bpffsRoot(), config.podInterfaces(),
                attacher.attachedCount(),
                client == null ? config.servicesFile() : client.getMasterUrl());
    }

    /** Sources and address changes both end here; the reconcile loop keeps only the newest state. */
    private synchronized void translateAndSubmit(Instant changeSeenAt) {
        Cluster cluster = lastCluster;
        if (cluster == null) return; // nothing complete yet: never program a partial view
        List<Inet4Address> host = new ArrayList<>(nodeAddresses.all());
        host.add(hairpinAddress); // the source of a pod's own traffic bounced back to it: the node's
        LocalNode local = new LocalNode(nodeName, nodeAddresses.current(), host);
        reconcileLoop.submit(serviceTranslator.translate(cluster, local)
                .withPolicy(policyCompiler.compile(cluster, local)), changeSeenAt);
    }

    public static Agent start(AgentConfig config) {
        return new Agent(config);
    }

    /** Runs until SIGTERM/SIGINT. */
    public static void run(AgentConfig config) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Agent agent = start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
    }

    private static void logApplied(ApplyResult r) {
        if (!r.changedAnything() && r.errors().isEmpty()) return;
        LOG.log(System.Logger.Level.INFO, "maps synced: {0} frontends written, {1} removed, backends +{2} -{3}{4}",
                r.frontendsWritten(), r.frontendsRemoved(), r.backendsAdded(), r.backendsRemoved(),
                r.errors().isEmpty() ? "" : ", " + r.errors().size() + " errors");
    }

    @Override
    public void close() {
        datapathMetrics.close();
        dropEvents.close();
        nodeAddresses.close();
        endpoints.close();
        source.close();
        if (client != null) client.close();
        reconcileLoop.close();
        healthCheckNodePorts.close();
        attacher.close();
        hostSockets.close(); // the hooks stay attached
        datapath.close();
        LOG.log(System.Logger.Level.INFO, "agent stopped; programs stay attached with the last state");
    }
}
