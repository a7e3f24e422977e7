package dev.ferry.agent.cli;

import dev.ferry.agent.datapath.NeighborKeeper;
import dev.ferry.bpf.BpfException;
import dev.ferry.bpf.BpfLink;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * `ferry uninstall`: detach every program Ferry attached and unpin every map, leaving the node
 * as it was before Ferry. Safe to run twice, and safe while no agent runs.
 */
public final class Uninstall {
    private Uninstall() {
    }

    /** Ferry's pins: versioned maps ("services_v2") and everything under links/. Nothing else is touched. */
    private static boolean isFerryPin(Path root, Path p) {
        Path relative = root.relativize(p);
        return relative.startsWith("links") || relative.toString().matches("[a-z0-9_]+_v\\d+");
    }

    /** The root may be a bpffs mount point itself, or hold the kernel's maps.debug: then it stays. */
    private static void deleteIfEmpty(Path dir) {
        try {
            Files.deleteIfExists(dir);
        } catch (IOException notEmptyOrMountPoint) {
            // left in place on purpose
        }
    }

    public static int run(Path bpffsRoot) throws IOException {
        if (!Files.isDirectory(bpffsRoot)) {
            System.out.println("nothing to uninstall: " + bpffsRoot + " does not exist");
            return 0;
        }
        int detached = 0;
        Path links = bpffsRoot.resolve("links");
        if (Files.isDirectory(links)) {
            try (Stream<Path> pins = Files.list(links)) {
                for (Path pin : pins.toList()) {
                    try (BpfLink link = BpfLink.openPinned(pin)) {
                        link.detach();
                        detached++;
                    } catch (BpfException e) {
                        System.err.println("uninstall: " + pin + ": " + e.getMessage() + " (removing the pin)");
                    }
                }
            }
        }
        int unpinned = 0;
        try (Stream<Path> all = Files.walk(bpffsRoot)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                if (p.equals(bpffsRoot) || p.equals(links) || !isFerryPin(bpffsRoot, p)) continue;
                Files.deleteIfExists(p);
                unpinned++;
            }
        }
        Files.deleteIfExists(links);
        deleteIfEmpty(bpffsRoot);
        // The next hops Ferry kept resolved for forwarding from XDP (marked as Ferry's; others stay).
        int neighbors = NeighborKeeper.forgetAll();
        System.out.println("uninstalled: " + detached + " links detached, " + unpinned + " pins removed under "
                + bpffsRoot + ", " + neighbors + " managed neighbours forgotten");
        return 0;
    }
}
