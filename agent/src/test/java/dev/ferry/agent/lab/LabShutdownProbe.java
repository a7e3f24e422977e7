package dev.ferry.agent.lab;

/**
 * Child JVM for {@link LabCleanupTest}: builds a lab, says "ready" and waits to be stopped the
 * way Ctrl-C stops the demo, so the test can check the shutdown hook cleaned up.
 */
public final class LabShutdownProbe {
    private LabShutdownProbe() {
    }

    public static void main(String[] args) throws InterruptedException {
        Lab lab = Lab.builder(args[0]).node("n1").pod("n1", "a", "10.244.1.10").build();
        lab.startEcho("a", 8080); // an open socket must not keep anything alive either
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(60_000);
    }
}
