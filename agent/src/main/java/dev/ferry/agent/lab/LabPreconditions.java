package dev.ferry.agent.lab;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** What a lab needs from the machine: root, and the tools it is built with. */
public final class LabPreconditions {
    private static final List<String> TOOLS = List.of("ip", "sysctl", "ethtool");

    private LabPreconditions() {
    }

    /** Why no lab can be built here, or empty when one can. */
    public static Optional<String> missing() {
        if (!effectiveRoot()) {
            return Optional.of("not running as root");
        }
        for (String tool : TOOLS) {
            if (!onPath(tool)) {
                return Optional.of("'" + tool + "' not found on PATH");
            }
        }
        return Optional.empty();
    }

    private static boolean effectiveRoot() {
        try {
            // "Uid: real effective saved fs"
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(line -> line.startsWith("Uid:"))
                    .map(line -> line.split("\\s+")[2])
                    .anyMatch("0"::equals);
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin";
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && new File(dir, tool).canExecute()) {
                return true;
            }
        }
        return false;
    }
}
