package dev.ferry.agent.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The machine's cgroup2 hierarchy mounted at a directory of our own. A lab agent runs under
 * `ip netns exec`, which remounts /sys, so /sys/fs/cgroup is not what it sees; a mount made
 * beforehand elsewhere is ({@code mount -t cgroup2 none DIR} shows the same hierarchy, root
 * included), and goes to the agent as its cgroup root. close() unmounts and removes the directory.
 */
public final class Cgroup2Mount implements AutoCloseable {
    private final Path dir;
    private boolean mounted;

    private Cgroup2Mount(Path dir) {
        this.dir = dir;
    }

    /** Mounts at {@code dir}, created if missing (e.g. next to an agent's bpffs in its work directory). */
    public static Cgroup2Mount mount(Path dir) throws IOException {
        Files.createDirectories(dir);
        Cgroup2Mount mount = new Cgroup2Mount(dir);
        Commands.run(List.of("mount", "-t", "cgroup2", "none", dir.toString()));
        mount.mounted = true;
        return mount;
    }

    /** Mounts at a fresh temporary directory. */
    public static Cgroup2Mount mountTemporary() throws IOException {
        return mount(Files.createTempDirectory("ferry-cgroup2-"));
    }

    /** The root of the hierarchy as this mount shows it: where the hooks attach. */
    public Path path() {
        return dir;
    }

    @Override
    public synchronized void close() throws IOException {
        if (mounted) {
            // Lazy: a process that still has it as its cwd (an agent being killed) can not block cleanup.
            Commands.run(List.of("umount", "-l", dir.toString()));
            mounted = false;
        }
        Files.deleteIfExists(dir);
    }
}
