package dev.ferry.agent.lab;

import dev.ferry.agent.testing.Privileged;

import dev.ferry.sys.NetLink;
import dev.ferry.sys.NetNs;
import dev.ferry.sys.Netlink;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A lab leaves nothing behind: not after close, not when the test body throws, not on Ctrl-C. */
class LabCleanupTest {
    private final String prefix = "flc" + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36), 36);

    @BeforeEach
    void requirePrivileges() {
        Privileged.require();
    }

    @Test
    void closeRemovesNamespacesAndLinksEvenWhileSomethingHoldsTheNode() throws Exception {
        ExecutorService insideNode = Executors.newSingleThreadExecutor();
        try {
            Lab lab = Lab.builder(prefix).node("n1").pod("n1", "a", "10.244.1.10").pod("n1", "b", "10.244.1.11").build();
            assertEquals(List.of(prefix + "-a", prefix + "-b", prefix + "-n1"), namespacesOfThisLab());
            lab.startEcho("b", 8080);
            assertEquals("b", lab.client("a").tcpRequest(lab.podIp("b"), 8080, Duration.ofSeconds(2)).server());
            // A thread inside the node namespace keeps it alive past `ip netns del`; the veths must go anyway.
            insideNode.submit(() -> NetNs.enter(lab.nodeNs("n1"))).get();

            lab.close();
            lab.close(); // idempotent

            assertEquals(List.of(), namespacesOfThisLab());
            List<NetLink> left = insideNode.submit(Netlink::links).get();
            assertEquals(List.of("lo"), left.stream().map(NetLink::name).toList());
            assertNoLinksInOurNamespace();
        } finally {
            insideNode.shutdownNow();
        }
    }

    @Test
    void cleanupRunsWhenTheTestBodyThrows() {
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> {
            try (Lab lab = Lab.builder(prefix).node("n1").pod("n1", "a", "10.244.1.10").build()) {
                assertFalse(namespacesOfThisLab().isEmpty());
                throw new IllegalStateException("the test body failed");
            }
        });
        assertEquals("the test body failed", thrown.getMessage());
        assertEquals(List.of(), namespacesOfThisLab());
    }

    @Test
    void aFailedBuildUndoesWhatItCreated() {
        LabException e = assertThrows(LabException.class, () ->
                Lab.builder(prefix).node("n1").pod("n1", "a", "10.244.1.10").pod("n1", "b", "10.244.1.300").build());
        assertTrue(e.getMessage().contains("10.244.1.300"), e.getMessage());
        assertEquals(List.of(), namespacesOfThisLab());
        assertNoLinksInOurNamespace();
    }

    @Test
    void theShutdownHookCleansUpAStoppedJvm() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), LabShutdownProbe.class.getName(), prefix)
                .redirectErrorStream(true).start();
        try {
            var out = new BufferedReader(new InputStreamReader(child.getInputStream()));
            assertEquals("ready", out.readLine(), "the child JVM must build its lab");
            assertEquals(List.of(prefix + "-a", prefix + "-n1"), namespacesOfThisLab());

            child.destroy(); // SIGTERM, which runs shutdown hooks like Ctrl-C's SIGINT
            assertTrue(child.waitFor(20, TimeUnit.SECONDS));
            assertEquals(List.of(), namespacesOfThisLab());
        } finally {
            child.destroyForcibly();
        }
    }

    private List<String> namespacesOfThisLab() {
        return Commands.run(List.of("ip", "netns", "list")).lines()
                .map(line -> line.split(" ")[0])
                .filter(name -> name.startsWith(prefix + "-"))
                .sorted()
                .toList();
    }

    private void assertNoLinksInOurNamespace() {
        assertFalse(Netlink.links().stream().anyMatch(l -> l.name().contains(prefix)));
    }
}
