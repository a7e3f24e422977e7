package dev.ferry.bpf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A cgroup2 hierarchy mounted in a temporary directory (the machine's one hierarchy, seen from a
 * mount of our own) and one child cgroup in it, for programs to be attached to. Only processes
 * started by {@link #run} join the child; close removes child, mount and directory.
 */
final class ScratchCgroup implements AutoCloseable {
    private final Path mount;
    private final Path child;
    private boolean mounted;

    ScratchCgroup() throws IOException, InterruptedException {
        mount = Files.createTempDirectory("ferry-test-cgroup2-");
        child = mount.resolve("ferry-test-" + UUID.randomUUID().toString().substring(0, 8));
        try {
            exec("mount", "-t", "cgroup2", "none", mount.toString());
            mounted = true;
            Files.createDirectory(child);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    Path path() {
        return child;
    }

    /**
     * Runs a bash script inside the child cgroup and a fresh network namespace of its own (lo up,
     * nothing else: its traffic never leaves it), or outside the cgroup when {@code inside} is
     * false. Returns stdout and stderr together.
     */
    String run(boolean inside, String script) throws IOException, InterruptedException {
        String join = inside ? "echo $$ > " + child.resolve("cgroup.procs") + " && " : "";
        return exec("bash", "-c", join + "exec unshare -n bash -c 'ip link set lo up; " + script + "'");
    }

    private static String exec(String... argv) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", argv) + " did not finish");
        }
        if (argv[0].equals("mount") && process.exitValue() != 0) {
            throw new IOException(String.join(" ", argv) + " failed: " + output);
        }
        return output;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        List<Exception> failures = new ArrayList<>();
        // A child cgroup is removable once its last process has exited (run() waits for that).
        try {
            Files.deleteIfExists(child);
        } catch (IOException e) {
            failures.add(e);
        }
        if (mounted) {
            String out = exec("umount", mount.toString());
            if (!out.isBlank()) failures.add(new IOException("umount " + mount + ": " + out));
            mounted = false;
        }
        try {
            Files.deleteIfExists(mount);
        } catch (IOException e) {
            failures.add(e);
        }
        if (!failures.isEmpty()) {
            IOException e = new IOException("cleaning up " + mount);
            failures.forEach(e::addSuppressed);
            throw e;
        }
    }
}
