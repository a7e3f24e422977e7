package dev.ferry.agent.source;

import dev.ferry.agent.k8s.Manifests;
import dev.ferry.agent.k8s.ModelStore;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.ServiceCIDR;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Services, EndpointSlices, ServiceCIDRs and this agent's own Node, and for NetworkPolicy the
 * Pods, Namespaces and NetworkPolicies of the whole cluster (every pod address is a possible
 * peer), from the API server through fabric8 SharedInformers.
 * <p>
 * The informers' caches are {@link ModelStore}s: an object is converted to its model when it
 * arrives, once per event, and the API object itself is not kept. Informer handlers only mark
 * that something changed; one thread gathers a snapshot of the models, at once after a quiet
 * moment and otherwise after a short window so a burst of events (a rollout touching many
 * slices) becomes one snapshot ({@link SyncPacer}). Nothing is handed on before every informer
 * has synced, so the first snapshot is complete and the reconciler never deletes live state for
 * lack of knowledge.
 * When the API server goes away the informers retry on their own and the maps keep their state.
 */
public final class KubernetesSource implements ClusterSource {
    private static final System.Logger LOG = System.getLogger(KubernetesSource.class.getName());
    private static final Duration RESYNC = Duration.ofMinutes(15);
    private static final Duration SYNC_REPORT = Duration.ofSeconds(10);
    /**
     * Items per list response, as client-go's pager asks for. A whole list arrives as one
     * response that fabric8 holds as bytes, text and objects at once before the store sees an
     * item: 10,000 EndpointSlices peaked at ~130 MB live, 100,000 Pods at ~600 MB, and the
     * garbage of such a response outlives the young generation and ends in a full collection.
     * Pages keep that to one page's worth.
     */
    private static final long LIST_PAGE = 500;

    private final KubernetesClient client;
    private final String nodeName;
    private final ClusterSink sink;
    private final ProblemLog problems = new ProblemLog();
    private final ChangeSignal changes = new ChangeSignal();
    private final SyncPacer pacer;
    private final List<SharedIndexInformer<? extends HasMetadata>> informers = new ArrayList<>();
    private final Map<Class<? extends HasMetadata>, ModelStore<? extends HasMetadata>> stores = new LinkedHashMap<>();
    private volatile boolean running = true;
    private Thread thread;

    /**
     * @param nodeName this agent's node: only its Node object is watched (for its zone label)
     * @param coalesce the least time between two snapshots, for bursts to gather
     */
    public KubernetesSource(KubernetesClient client, String nodeName, Duration coalesce, ClusterSink sink) {
        this.client = client;
        this.nodeName = nodeName;
        this.pacer = new SyncPacer(coalesce, InstantSource.system());
        this.sink = sink;
    }

    /** Starts the informers; snapshots flow once all have synced (waiting happens on the source's thread). */
    @Override
    public KubernetesSource start() {
        inform(client.resources(Service.class).inAnyNamespace(), Service::new);
        inform(client.resources(EndpointSlice.class).inAnyNamespace(), EndpointSlice::new);
        inform(client.resources(Node.class).withField("metadata.name", nodeName), Node::new);
        inform(client.resources(ServiceCIDR.class), ServiceCIDR::new);
        inform(client.resources(Pod.class).inAnyNamespace(), Pod::new);
        inform(client.resources(Namespace.class), Namespace::new);
        inform(client.resources(NetworkPolicy.class).inAnyNamespace(), NetworkPolicy::new);
        thread = Thread.ofPlatform().name("kubernetes-source").daemon().start(this::run);
        return this;
    }

    /**
     * An informer of {@code objects}, listing them in pages.
     * @param blank a new object of the informer's kind, for the stand-ins its store hands back to fabric8
     */
    private <T extends HasMetadata> void inform(Informable<T> objects, Supplier<T> blank) {
        SharedIndexInformer<T> informer = objects.withLimit(LIST_PAGE).runnableInformer(RESYNC.toMillis());
        ModelStore<T> store = new ModelStore<>(blank);
        informer.itemStore(store);
        informer.removeNamespaceIndex(); // nothing here looks objects up by namespace: no index to keep
        // Keep retrying through API server outages instead of stopping the informer.
        informer.exceptionHandler((started, error) -> {
            LOG.log(System.Logger.Level.WARNING, "watching {0}: {1}; retrying", informer.getApiTypeClass().getSimpleName(),
                    error.getMessage());
            return true;
        });
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                changes.mark();
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                changes.mark();
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                changes.mark();
            }
        });
        informers.add(informer);
        stores.put(informer.getApiTypeClass(), store);
    }

    private void run() {
        try {
            awaitSynced();
            sink.complete(Instant.now());
            publish(changes.clear()); // the initial list's changes: seen from the first object listed
            pacer.published();
            while (running) {
                changes.await();
                Duration delay = pacer.delay(); // zero after a quiet moment; a burst gathers meanwhile
                if (!delay.isZero()) Thread.sleep(delay);
                publish(changes.clear());
                pacer.published();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Blocks until every informer has listed once; fabric8 keeps retrying an unreachable API server. */
    private void awaitSynced() throws InterruptedException {
        informers.forEach(SharedIndexInformer::start);
        long nextReport = System.nanoTime() + SYNC_REPORT.toNanos();
        while (running && !informers.stream().allMatch(SharedIndexInformer::hasSynced)) {
            Thread.sleep(50);
            if (System.nanoTime() > nextReport) {
                LOG.log(System.Logger.Level.WARNING, "waiting for the API server {0} to list everything; "
                        + "the datapath keeps its last state", client.getMasterUrl());
                nextReport = System.nanoTime() + SYNC_REPORT.toNanos();
            }
        }
        LOG.log(System.Logger.Level.INFO, "informers synced: {0} services, {1} endpoint slices, {2} pods, {3} network policies",
                cached(Service.class), cached(EndpointSlice.class), cached(Pod.class), cached(NetworkPolicy.class));
    }

    private int cached(Class<? extends HasMetadata> kind) {
        return stores.get(kind).size();
    }

    /** One Cluster of every store's models; a kind that did not change keeps its very list. */
    private void publish(Instant changeSeenAt) {
        Manifests.Parsed parsed = Manifests.merge(stores.values().stream().map(ModelStore::snapshot).toList());
        problems.report(parsed.problems());
        sink.accept(parsed.cluster(), changeSeenAt);
    }

    @Override
    public int invalidObjects() {
        return problems.invalidObjects();
    }

    @Override
    public void close() {
        running = false;
        if (thread != null) thread.interrupt();
        informers.forEach(SharedIndexInformer::close);
    }
}
