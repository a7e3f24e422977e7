package dev.ferry.sys;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** What loading eBPF and building namespaces needs from the machine, said in one sentence. */
public final class Privileges {
    /** Tools the tests and the lab run: iproute2, procps, ethtool. */
    public static final List<String> LAB_TOOLS = List.of("ip", "sysctl", "ethtool");

    private Privileges() {
    }

    /** @return what is missing (root, bpffs at /sys/fs/bpf, one of {@code tools}), or empty */
    public static Optional<String> missing(List<String> tools) {
        if (Libc.geteuid() != 0) return Optional.of("not running as root (euid " + Libc.geteuid() + ")");
        try {
            boolean bpffs = Files.readAllLines(Path.of("/proc/mounts")).stream()
                    .anyMatch(l -> l.contains(" /sys/fs/bpf bpf "));
            if (!bpffs) return Optional.of("bpffs not mounted at /sys/fs/bpf (mount -t bpf bpf /sys/fs/bpf)");
        } catch (IOException e) {
            return Optional.of("can not read /proc/mounts: " + e.getMessage());
        }
        for (String tool : tools) {
            if (!onPath(tool)) return Optional.of("'" + tool + "' not found on PATH");
        }
        return Optional.empty();
    }

    private static boolean onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin";
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && new File(dir, tool).canExecute()) return true;
        }
        return false;
    }
}
