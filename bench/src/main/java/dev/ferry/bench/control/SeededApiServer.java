package dev.ferry.bench.control;

import dev.ferry.agent.source.ApiServerCrudDispatcher;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * fabric8's mock API server in CRUD mode, filled without HTTP. Creating through the API costs
 * the mock a scan of everything it holds per object (quadratic: 20,000 objects take 90 s), so
 * the benchmark's cluster is put into its store directly, with the metadata a create would give
 * (uid, resourceVersion, creationTimestamp); every change during the measurement goes through
 * the API as kubectl's would.
 */
final class SeededApiServer implements AutoCloseable {
    private final SeedableDispatcher dispatcher = new SeedableDispatcher();
    private final KubernetesMockServer server;
    private final KubernetesClient client;

    private SeededApiServer() {
        // The mock logs every request at INFO: thousands of lines and a measurable cost per change.
        Logger.getLogger("io.fabric8.mockwebserver").setLevel(Level.WARNING);
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = server.createClient();
    }

    static SeededApiServer start() {
        return new SeededApiServer();
    }

    /** Adds objects that do not exist yet, as if each had been created through the API. */
    void seed(List<? extends HasMetadata> objects) {
        objects.forEach(dispatcher::seed);
    }

    KubernetesClient client() {
        return client;
    }

    /** System.nanoTime() when the server last took an update (PUT) up, before it stored it and told its watchers. */
    long lastUpdateTakenNanos() {
        return dispatcher.lastUpdateTaken;
    }

    int port() {
        return server.getPort();
    }

    /**
     * Stops the server. One that can not stop in time is left behind with a warning: the
     * measurements are taken by then and must not be lost to it. (A watch closing while an event
     * for it is being sent stalls the mock for 30 s: its close handler waits on the vert.x event
     * loop for the watch's sender thread, which waits for that event loop to write.)
     */
    @Override
    public void close() {
        client.close();
        try {
            server.destroy();
        } catch (IllegalStateException notStopped) {
            System.err.println("control: the mock API server did not shut down cleanly (" + notStopped.getMessage()
                    + "); the results stand");
        }
    }

    /**
     * The CRUD dispatcher answering lists and watches as a real API server does
     * ({@link ApiServerCrudDispatcher}), with a direct way in, keyed exactly as its POST handler keys an object,
     * and an index for finding one object: the mock scans its whole store for that on every
     * update (23 ms per PUT at 20,000 objects), which would be measured as part of each change.
     */
    private static final class SeedableDispatcher extends ApiServerCrudDispatcher {
        private final Map<List<Attribute>, AttributeSet> byIdentity = new ConcurrentHashMap<>();
        private volatile long lastUpdateTaken;

        @Override
        public MockResponse handleUpdate(RecordedRequest request) {
            lastUpdateTaken = System.nanoTime();
            return super.handleUpdate(request);
        }

        /** The store entry for one object, when {@code query} names one (kind, namespace, name) and it is indexed. */
        @Override
        public Map.Entry<AttributeSet, String> findResource(AttributeSet query) {
            List<Attribute> identity = identity(query);
            AttributeSet key = identity == null ? null : byIdentity.get(identity);
            // Updates that keep the labels keep the key; anything else falls back to the scan.
            String value = key == null ? null : map.get(key);
            if (value != null && key.matches(query)) return Map.entry(key, value);
            Map.Entry<AttributeSet, String> found = super.findResource(query);
            if (found != null && identity != null) byIdentity.put(identity, found.getKey());
            return found;
        }

        private static List<Attribute> identity(AttributeSet attributes) {
            Attribute plural = attributes.getAttribute(KubernetesAttributesExtractor.PLURAL);
            Attribute name = attributes.getAttribute(KubernetesAttributesExtractor.NAME);
            Attribute namespace = attributes.getAttribute(KubernetesAttributesExtractor.NAMESPACE);
            if (plural == null || name == null) return null;
            return namespace == null ? List.of(plural, name) : List.of(plural, namespace, name);
        }

        void seed(HasMetadata object) {
            object.getMetadata().setUid(UUID.randomUUID().toString());
            object.getMetadata().setResourceVersion(Long.toString(requestResourceVersion()));
            object.getMetadata().setCreationTimestamp("2025-01-01T00:00:00Z");
            object.getMetadata().setGeneration(1L);
            KubernetesAttributesExtractor extractor = (KubernetesAttributesExtractor) getAttributeExtractor();
            AttributeSet key = extractor.extract(object);
            if (!key.containsKey(KubernetesAttributesExtractor.PLURAL)) {
                throw new IllegalStateException("no plural known for " + object.getKind());
            }
            map.put(key, Serialization.asJson(object));
            List<Attribute> identity = identity(key);
            if (identity != null) byIdentity.put(identity, key);
        }
    }
}
