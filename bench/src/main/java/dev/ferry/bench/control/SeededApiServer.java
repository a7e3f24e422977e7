package dev.ferry.bench.control;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocketListener;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.URI;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
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
    private static final org.slf4j.Logger WATCH_LOG = org.slf4j.LoggerFactory.getLogger(SeededApiServer.class);
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
     * The CRUD dispatcher with a direct way in, keyed exactly as its POST handler keys an object,
     * and an index for finding one object: the mock scans its whole store for that on every
     * update (23 ms per PUT at 20,000 objects), which would be measured as part of each change.
     */
    private static final class SeedableDispatcher extends KubernetesCrudDispatcher {
        private final Map<List<Attribute>, AttributeSet> byIdentity = new ConcurrentHashMap<>();
        private final Set<Object> watchers = field(this, "watchEventListeners");
        /** Lists being paged through, by path without the continue token: what their first page saw. */
        private final Map<String, List<String>> listsInProgress = new ConcurrentHashMap<>();
        private volatile long lastUpdateTaken;

        /**
         * A watch from a resourceVersion hears what changes after it, as from a real API server.
         * The mock instead replays everything it holds as ADDED to every new watch: an informer
         * that has just listed 10,000 Services and 10,000 slices would be sent them all again, and
         * the agent would parse 20,000 objects it already has during the very full sync measured
         * (40 % of the CPU samples in that window in a profile). A watch without a resourceVersion
         * keeps the replay: it stands in for the list such a watcher did not make. (Changes between
         * a list and its watch are not replayed either; the benchmark makes none then.)
         */
        @Override
        public MockResponse handleWatch(String path) {
            URI uri = URI.create(path);
            Map<String, String> query = queryOf(uri);
            if (query.getOrDefault("resourceVersion", "").isEmpty()) return super.handleWatch(path);
            AttributeSet attributes = getAttributeExtractor().fromPath(path);
            String selector = query.getOrDefault("fieldSelector", "");
            if (selector.startsWith("metadata.name=")) {
                attributes = attributes.add(new Attribute("name", selector.substring("metadata.name=".length())));
            }
            return new MockResponse().withWebSocketUpgrade(watcherWithoutReplay(attributes));
        }

        /**
         * A list with a limit comes in pages, as from a real API server; the mock would send the
         * whole list every time, and the agent pages its lists. As a real list is read at one
         * resourceVersion, the first page takes a snapshot of the matching objects in name order
         * and the continue token is an offset into it; the last page lets it go.
         */
        @Override
        public MockResponse handleGet(String path) {
            Map<String, String> query = queryOf(URI.create(path));
            if (!query.containsKey("limit")) return super.handleGet(path);
            String list = path.replaceAll("[?&]continue=[^&]*", "");
            List<String> snapshot = query.containsKey("continue") ? listsInProgress.get(list) : null;
            if (snapshot == null) {
                AttributeSet wanted = getAttributeExtractor().fromPath(path);
                snapshot = map.entrySet().stream()
                        .filter(e -> e.getKey().matches(wanted))
                        .sorted(Comparator.comparing(e -> String.valueOf(identity(e.getKey()))))
                        .map(Map.Entry::getValue)
                        .toList();
                listsInProgress.put(list, snapshot);
            }
            int from = Integer.parseInt(query.getOrDefault("continue", "0"));
            int to = (int) Math.min(snapshot.size(), from + Long.parseLong(query.get("limit")));
            if (to == snapshot.size()) listsInProgress.remove(list);
            String more = to < snapshot.size() ? ",\"continue\":\"" + to + "\"" : "";
            return new MockResponse().setResponseCode(200).setBody("{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":["
                    + String.join(",", snapshot.subList(from, to)) + "],\"metadata\":{\"resourceVersion\":\""
                    + requestResourceVersion() + "\"" + more + "}}");
        }

        /**
         * fabric8's own watch listener, as its handleWatch makes it but with nothing to do on open;
         * neither its class nor the dispatcher's set of them is public, hence the reflection.
         */
        private WebSocketListener watcherWithoutReplay(AttributeSet attributes) {
            try {
                Class<?> type = Class.forName("io.fabric8.kubernetes.client.server.mock.WatchEventsListener");
                Constructor<?> make = type.getDeclaredConstructor(Context.class, AttributeSet.class, Set.class,
                        org.slf4j.Logger.class, Consumer.class);
                make.setAccessible(true);
                Consumer<Object> nothingOnOpen = opened -> { };
                Object listener = make.newInstance(context, attributes, watchers, WATCH_LOG, nothingOnOpen);
                watchers.add(listener);
                return (WebSocketListener) listener;
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("this fabric8 mock makes its watchers differently; SeededApiServer needs updating", e);
            }
        }

        private static Map<String, String> queryOf(URI uri) {
            Map<String, String> query = new HashMap<>();
            if (uri.getQuery() == null) return query;
            for (String pair : uri.getQuery().split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) query.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
            return query;
        }

        @SuppressWarnings("unchecked")
        private static <T> T field(KubernetesCrudDispatcher dispatcher, String name) {
            try {
                Field field = KubernetesCrudDispatcher.class.getDeclaredField(name);
                field.setAccessible(true);
                return (T) field.get(dispatcher);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("this fabric8 mock has no " + name + "; SeededApiServer needs updating", e);
            }
        }

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
