package dev.ferry.agent.source;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * fabric8's mock API server in CRUD mode that can lose its watchers: {@link #gap} stops it,
 * changes its objects without any watch event, and starts it again on the same port with
 * every resourceVersion handed out so far compacted away, as etcd compaction does to a client
 * that was gone long enough. A watch resuming from such a version gets 410 Expired, so the
 * informer has to list again.
 */
final class GappyApiServer implements AutoCloseable {
    private static final Pattern WATCH_FROM = Pattern.compile("[?&]resourceVersion=(\\d+)");

    private final CompactingDispatcher dispatcher = new CompactingDispatcher();
    private final InetAddress address = InetAddress.getLoopbackAddress();
    private final KubernetesClient client;
    private KubernetesMockServer server;

    GappyApiServer() {
        server = newServer();
        server.init(address, 0);
        client = server.createClient();
    }

    KubernetesClient client() {
        return client;
    }

    /** Stops serving, runs {@code whileAway} (say, {@link #forget} an object), then serves again. */
    void gap(Runnable whileAway) {
        int port = server.getPort();
        server.destroy();
        whileAway.run();
        dispatcher.compactedBelow = dispatcher.requestResourceVersion();
        server = newServer();
        server.init(address, port);
    }

    /** The paths of every list of Services asked for so far. */
    List<String> servicesLists() {
        return List.copyOf(dispatcher.servicesLists);
    }

    /** Deletes an object without telling any watcher (it is meant to happen during a {@link #gap}). */
    void forget(Class<? extends HasMetadata> kind, String namespace, String name) {
        boolean removed = dispatcher.getMap().entrySet().removeIf(e -> {
            var object = Serialization.unmarshal(e.getValue(), GenericKubernetesResource.class);
            return object.getKind().equals(HasMetadata.getKind(kind)) && namespace.equals(object.getMetadata().getNamespace())
                    && name.equals(object.getMetadata().getName());
        });
        if (!removed) throw new IllegalArgumentException("no " + kind.getSimpleName() + " " + namespace + "/" + name);
    }

    private KubernetesMockServer newServer() {
        return new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }

    /** Answers a watch from a compacted resourceVersion as the API server does: an ERROR event with 410 Expired. */
    private static final class CompactingDispatcher extends ApiServerCrudDispatcher {
        volatile long compactedBelow;
        final List<String> servicesLists = new CopyOnWriteArrayList<>();

        @Override
        public MockResponse handleGet(String path) {
            if (path.startsWith("/api/v1/services?") && !path.contains("watch=true")) servicesLists.add(path);
            return super.handleGet(path);
        }

        @Override
        public MockResponse handleWatch(String path) {
            Matcher m = WATCH_FROM.matcher(path);
            if (!m.find() || Long.parseLong(m.group(1)) >= compactedBelow) return super.handleWatch(path);
            String expired = """
                    {"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Expired",\
                    "code":410,"message":"too old resource version: %s"}}""".formatted(m.group(1));
            return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
                @Override
                public void onOpen(WebSocket socket, Response response) {
                    socket.send(expired);
                    socket.close(1000, "");
                }
            });
        }
    }
}
