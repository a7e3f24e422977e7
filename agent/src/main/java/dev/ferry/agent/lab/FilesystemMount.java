package dev.ferry.agent.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A kernel filesystem mounted at a directory of our own, for what runs beside the machine's own
 * mounts. `ip netns exec` remounts /sys, so a lab agent sees neither /sys/fs/bpf nor
 * /sys/fs/cgroup; mounts made beforehand elsewhere it does see.
 * <ul>
 * <li>{@link #cgroup2}: the machine's cgroup2 hierarchy ({@code mount -t cgroup2 none DIR} shows
 *     the same hierarchy, root included), the agent's cgroup root.</li>
 * <li>{@link #bpffs}: a bpffs of its own: whatever is pinned in it goes away with the mount, so
 *     a lab agent or a benchmark never leaves pins on the machine's bpffs.</li>
 * </ul>
 * close() unmounts and removes the directory (and anything an unmount left in it).
 */
public final class FilesystemMount implements AutoCloseable {
    private final Path dir;
    private boolean mounted;

    private FilesystemMount(Path dir) {
        this.dir = dir;
    }

    private static FilesystemMount mount(String type, String source, Path dir) throws IOException {
        Files.createDirectories(dir);
        FilesystemMount mount = new FilesystemMount(dir);
        Commands.run(List.of("mount", "-t", type, source, dir.toString()));
        mount.mounted = true;
        return mount;
    }

    /** The cgroup2 hierarchy at {@code dir}, created if missing (e.g. next to an agent's bpffs in its work directory). */
    public static FilesystemMount cgroup2(Path dir) throws IOException {
        return mount("cgroup2", "none", dir);
    }

    /** The cgroup2 hierarchy at a fresh temporary directory. */
    public static FilesystemMount cgroup2Temporary() throws IOException {
        return cgroup2(Files.createTempDirectory("ferry-cgroup2-"));
    }

    /** A fresh bpffs at {@code dir}, created if missing: the pin root to hand to the loader (--bpffs-root). */
    public static FilesystemMount bpffs(Path dir) throws IOException {
        return mount("bpf", "bpf", dir);
    }

    /** A fresh bpffs at a temporary directory. */
    public static FilesystemMount bpffsTemporary() throws IOException {
        return bpffs(Files.createTempDirectory("ferry-bpffs-"));
    }

    /** The mounted directory: where the hooks attach, or the pin root. */
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
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (java.nio.file.NoSuchFileException gone) {
            // already removed
        }
    }
}
