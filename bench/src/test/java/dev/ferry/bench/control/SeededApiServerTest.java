package dev.ferry.bench.control;

import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServiceList;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

/** The benchmark's API server answers lists and watches as a real one does, where fabric8's mock does not. */
class SeededApiServerTest {
    private final SeededApiServer api = SeededApiServer.start();

    @AfterEach
    void stop() {
        api.close();
    }

    private void seed(int services) {
        api.seed(IntStream.range(0, services).mapToObj(i -> new ServiceBuilder().withNewMetadata()
                .withName("s" + i).withNamespace("lab").endMetadata()
                .withNewSpec().withClusterIP("10.96.%d.%d".formatted(i / 250, i % 250 + 1)).endSpec().build()).toList());
    }

    @Test
    void aListWithALimitComesInPagesThatTogetherHoldEverything() {
        seed(1200);
        Set<String> names = new HashSet<>();
        String token = null;
        List<Integer> pages = new java.util.ArrayList<>();
        do {
            ServiceList page = api.client().services().inAnyNamespace()
                    .list(new ListOptionsBuilder().withLimit(500L).withContinue(token).build());
            pages.add(page.getItems().size());
            page.getItems().forEach(s -> names.add(s.getMetadata().getName()));
            token = page.getMetadata().getContinue();
        } while (token != null);
        assertEquals(List.of(500, 500, 200), pages);
        assertEquals(1200, names.size());

        var informer = api.client().services().inAnyNamespace().withLimit(500L).inform();
        try {
            assertEquals(1200, informer.getStore().list().size());
        } finally {
            informer.close();
        }
    }

    @Test
    void aWatchFromAListsResourceVersionHearsOnlyLaterChanges() throws Exception {
        seed(3);
        String version = api.client().services().inAnyNamespace().list().getMetadata().getResourceVersion();
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        try (Watch ignored = api.client().services().inAnyNamespace()
                .watch(new ListOptionsBuilder().withResourceVersion(version).build(), new Watcher<Service>() {
                    @Override
                    public void eventReceived(Action action, Service s) {
                        events.add(action + " " + s.getMetadata().getName());
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                    }
                })) {
            assertNull(events.poll(500, TimeUnit.MILLISECONDS), "nothing replayed");
            Service changed = api.client().services().inNamespace("lab").withName("s1").get();
            changed.getMetadata().getLabels().put("changed", "yes");
            api.client().resource(changed).update();
            assertEquals("MODIFIED s1", events.poll(10, TimeUnit.SECONDS));
        }
    }
}
