package dev.ferry.agent.cli;

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
        int unpinned;
        try (Stream<Path> all = Files.walk(bpffsRoot)) {
            var paths = all.sorted(Comparator.reverseOrder()).toList();
            for (Path p : paths) Files.deleteIfExists(p);
            unpinned = (int) paths.stream().filter(p -> !p.equals(bpffsRoot) && !p.equals(links)).count();
        }
        System.out.println("uninstalled: " + detached + " links detached, " + unpinned + " pins removed, "
                + bpffsRoot + " deleted");
        return 0;
    }
}
