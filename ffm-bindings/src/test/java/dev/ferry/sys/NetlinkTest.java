package dev.ferry.sys;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetlinkTest {
    @RegisterExtension
    final ScratchNamespace scratch = new ScratchNamespace();
    private final String ns = scratch.name();

    @Test
    void listsTheLinksOfTheCallersNamespace() throws Exception {
        Ip.run("-n", ns, "link", "add", "vethtesta", "type", "veth", "peer", "name", "vethtestb");
        Ip.run("-n", ns, "link", "add", "br-test", "type", "bridge");
        Ip.run("-n", ns, "link", "set", "vethtesta", "up");

        Map<String, NetLink> links = byName(NetNs.call(ns, Netlink::links));

        assertEquals(List.of("br-test", "lo", "vethtesta", "vethtestb"), links.keySet().stream().sorted().toList());
        assertEquals(new NetLink(1, "lo", false, null), links.get("lo"));
        assertEquals("veth", links.get("vethtesta").kind());
        assertTrue(links.get("vethtesta").up());
        assertFalse(links.get("vethtestb").up());
        assertEquals("bridge", links.get("br-test").kind());
        assertFalse(byName(Netlink.links()).containsKey("vethtesta"), "the test's own namespace must not see them");
    }

    @Test
    void listsManyLinksAcrossMultipartChunks() throws Exception {
        // 150 links overflow one 32 KiB datagram, so the dump spans several.
        StringBuilder batch = new StringBuilder();
        for (int i = 0; i < 75; i++) {
            batch.append("link add da").append(i).append(" type veth peer name db").append(i).append('\n');
        }
        java.nio.file.Path file = java.nio.file.Files.createTempFile("links", ".batch");
        try {
            java.nio.file.Files.writeString(file, batch);
            Ip.run("-n", ns, "-batch", file.toString());
        } finally {
            java.nio.file.Files.delete(file);
        }
        List<NetLink> links = NetNs.call(ns, Netlink::links);
        assertEquals(151, links.size());
        assertTrue(links.stream().filter(l -> l.name().startsWith("d")).allMatch(l -> "veth".equals(l.kind())));
    }

    @Test
    void watcherSeesALinkAddedAndThenQuietsDown() throws Exception {
        try (LinkWatcher watcher = NetNs.call(ns, LinkWatcher::open)) {
            assertFalse(watcher.awaitChange(Duration.ofMillis(100)), "nothing happened yet");

            Ip.run("-n", ns, "link", "add", "vethwa", "type", "veth", "peer", "name", "vethwb");
            long start = System.nanoTime();
            assertTrue(watcher.awaitChange(Duration.ofSeconds(2)));
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(1).toNanos(), "must wake promptly");

            assertFalse(watcher.awaitChange(Duration.ofMillis(200)), "all pending events were drained");

            Ip.run("-n", ns, "link", "del", "vethwa");
            assertTrue(watcher.awaitChange(Duration.ofSeconds(2)), "deletion is a change too");
        }
    }

    @Test
    void watcherIgnoresOtherNamespaces() throws Exception {
        String other = Ip.uniqueNamespace();
        Ip.run("netns", "add", other);
        try (LinkWatcher watcher = NetNs.call(ns, LinkWatcher::open)) {
            Ip.run("-n", other, "link", "add", "brx", "type", "bridge");
            assertFalse(watcher.awaitChange(Duration.ofMillis(300)));
        } finally {
            Ip.run("netns", "del", other);
        }
    }

    private static Map<String, NetLink> byName(List<NetLink> links) {
        return links.stream().collect(Collectors.toMap(NetLink::name, Function.identity()));
    }

}
