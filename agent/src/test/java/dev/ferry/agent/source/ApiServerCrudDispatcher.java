package dev.ferry.agent.source;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.WebSocketListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.net.URI;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * fabric8's CRUD mock dispatcher, answering lists and watches as a real API server does where the
 * mock does not by itself. Shared by tests here and by bench/'s SeededApiServer.
 * <ul>
 *   <li>A watch from a resourceVersion hears what changes after it. The mock instead sends every
 *       object it holds as ADDED to each new watch: an informer that has just listed the cluster
 *       parses it all again (in the benchmark, 40 % of the CPU samples of the full sync window),
 *       and an informer closed while such a send is under way stalls the mock for 30 s (its
 *       close handler waits on the vert.x event loop for the sender, which waits for that event
 *       loop to write). A watch without a resourceVersion keeps the replay: it stands in for the
 *       list that watcher did not make. Changes between a list and its watch are not replayed.</li>
 *   <li>A list with a limit comes in pages, read from a snapshot its first page takes (a real list
 *       is read at one resourceVersion); the continue token is an offset into it.</li>
 * </ul>
 */
public class ApiServerCrudDispatcher extends KubernetesCrudDispatcher {
    private static final Logger WATCH_LOG = LoggerFactory.getLogger(ApiServerCrudDispatcher.class);

    private final Set<Object> watchers = watcherSet(this);
    /** Lists being paged through, by path without the continue token: what their first page saw. */
    private final Map<String, List<String>> listsInProgress = new ConcurrentHashMap<>();

    @Override
    public MockResponse handleWatch(String path) {
        Map<String, String> query = queryOf(path);
        if (query.getOrDefault("resourceVersion", "").isEmpty()) return super.handleWatch(path);
        AttributeSet attributes = getAttributeExtractor().fromPath(path);
        String selector = query.getOrDefault("fieldSelector", "");
        if (selector.startsWith("metadata.name=")) {
            attributes = attributes.add(new Attribute("name", selector.substring("metadata.name=".length())));
        }
        return new MockResponse().withWebSocketUpgrade(watcherWithoutReplay(attributes));
    }

    @Override
    public MockResponse handleGet(String path) {
        Map<String, String> query = queryOf(path);
        if (!query.containsKey("limit") || query.containsKey("watch")) return super.handleGet(path);
        String list = path.replaceAll("[?&]continue=[^&]*", "");
        List<String> snapshot = query.containsKey("continue") ? listsInProgress.get(list) : null;
        if (snapshot == null) {
            AttributeSet wanted = getAttributeExtractor().fromPath(path);
            snapshot = map.entrySet().stream()
                    .filter(e -> e.getKey().matches(wanted))
                    .sorted(Comparator.comparing(e -> e.getKey().toString()))
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
                    Logger.class, Consumer.class);
            make.setAccessible(true);
            Consumer<Object> nothingOnOpen = opened -> { };
            Object listener = make.newInstance(context, attributes, watchers, WATCH_LOG, nothingOnOpen);
            watchers.add(listener);
            return (WebSocketListener) listener;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this fabric8 mock makes its watchers differently; "
                    + ApiServerCrudDispatcher.class.getSimpleName() + " needs updating", e);
        }
    }

    private static Map<String, String> queryOf(String path) {
        Map<String, String> query = new HashMap<>();
        String raw = URI.create(path).getQuery();
        if (raw == null) return query;
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) query.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return query;
    }

    @SuppressWarnings("unchecked")
    private static Set<Object> watcherSet(KubernetesCrudDispatcher dispatcher) {
        try {
            Field field = KubernetesCrudDispatcher.class.getDeclaredField("watchEventListeners");
            field.setAccessible(true);
            return (Set<Object>) field.get(dispatcher);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this fabric8 mock keeps its watchers elsewhere; "
                    + ApiServerCrudDispatcher.class.getSimpleName() + " needs updating", e);
        }
    }
}
