package dev.ferry.sys;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetNsTest {
    @RegisterExtension
    final ScratchNamespace scratch = new ScratchNamespace();
    private final String ns = scratch.name();

    @Test
    void socketsCreatedAfterEnterLiveInTheNamespace() throws Exception {
        // The listener lives in the namespace, so the same port on the root namespace's loopback refuses.
        try (ServerSocketChannel server = NetNs.call(ns, () ->
                ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0)))) {
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            Exception fromRoot = assertThrows(Exception.class, () -> {
                try (SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
                    c.finishConnect();
                }
            });
            assertTrue(fromRoot.getMessage().contains("refused"), fromRoot.toString());
        }
    }

    @Test
    void startRunsWorkInsideTheNamespace() throws Exception {
        Ip.run("-n", ns, "link", "add", "marker0", "type", "bridge");
        AtomicReference<Boolean> sawMarker = new AtomicReference<>();
        Thread thread = NetNs.start(ns, () -> sawMarker.set(
                Netlink.links().stream().anyMatch(l -> l.name().equals("marker0"))));
        thread.join();
        assertEquals(Boolean.TRUE, sawMarker.get());
    }

    @Test
    void unknownNamespaceFailsWithErrnoText() {
        SyscallException e = assertThrows(SyscallException.class, () -> NetNs.call(ns + "-missing", () -> 1));
        assertEquals(2, e.errno());
        assertTrue(e.getMessage().contains("No such file"), e.getMessage());
        assertThrows(SyscallException.class, () -> NetNs.start(ns + "-missing", () -> { }));
    }

    @Test
    void cookiesNameOneNamespaceEach() throws Exception {
        long here = NetNs.currentCookie();
        long there = NetNs.cookie(ns);
        assertTrue(here != 0 && there != 0, "the kernel counts cookies from 1");
        assertNotEquals(here, there);
        assertEquals(there, NetNs.cookie(ns), "stable for the namespace's lifetime");
    }

    @Test
    void virtualThreadsAreRefused() throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread.ofVirtual().start(() -> {
            try {
                NetNs.enter(ns);
            } catch (Throwable t) {
                failure.set(t);
            }
        }).join();
        assertTrue(failure.get() instanceof IllegalStateException, String.valueOf(failure.get()));
    }
}
