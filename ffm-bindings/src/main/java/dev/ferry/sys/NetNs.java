package dev.ferry.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Network namespaces named by iproute2 ({@code ip netns add NAME} pins them under /var/run/netns).
 *
 * <p>setns(2) moves only the calling OS thread, so this works with platform threads alone: a
 * virtual thread hops between carriers and would leave its namespace behind. A socket stays in
 * the namespace it was created in, so only the creation has to happen on such a thread; reading,
 * writing and accepting may happen anywhere.
 */
public final class NetNs {
    private static final String NETNS_DIR = "/var/run/netns/";

    private NetNs() {
    }

    /** Moves the current platform thread into the named network namespace, for good. */
    public static void enter(String name) {
        if (Thread.currentThread().isVirtual()) {
            throw new IllegalStateException("setns moves an OS thread; a virtual thread would lose it on its next carrier");
        }
        String path = pathOf(name);
        int fd = Libc.open(path, Libc.O_RDONLY | Libc.O_CLOEXEC);
        try {
            Libc.setns(fd, Libc.CLONE_NEWNET).orThrow("setns", path);
        } finally {
            Libc.close(fd);
        }
    }

    /** Runs work on a fresh platform thread inside the namespace and returns its result or rethrows its exception. */
    public static <T> T call(String name, Callable<T> work) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread thread = Thread.ofPlatform().name("netns-" + name).start(() -> {
            try {
                enter(name);
                result.complete(work.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        try {
            return result.get();
        } catch (ExecutionException e) {
            throw unwrap(e);
        } finally {
            thread.join();
        }
    }

    /**
     * Starts a daemon platform thread that runs work inside the namespace, for servers that
     * outlive the call. Returns once the thread is inside, so a wrong name fails here, not later.
     */
    public static Thread start(String name, Runnable work) {
        CompletableFuture<Void> entered = new CompletableFuture<>();
        Thread thread = Thread.ofPlatform().name("netns-" + name).daemon(true).start(() -> {
            try {
                enter(name);
            } catch (Throwable t) {
                entered.completeExceptionally(t);
                return;
            }
            entered.complete(null);
            work.run();
        });
        try {
            entered.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        return thread;
    }

    /**
     * SO_NETNS_COOKIE of the calling thread's network namespace (kernel 5.14+): a 64-bit id that
     * eBPF programs read with bpf_get_netns_cookie, never 0 and never reused before a reboot.
     */
    public static long currentCookie() {
        int fd = (int) Libc.socket(Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0).orThrow("socket", "AF_INET");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cookie = arena.allocate(java.lang.foreign.ValueLayout.JAVA_LONG);
            Libc.getsockopt(fd, Libc.SOL_SOCKET, Libc.SO_NETNS_COOKIE, cookie).orThrow("getsockopt", "SO_NETNS_COOKIE");
            return cookie.get(java.lang.foreign.ValueLayout.JAVA_LONG, 0);
        } finally {
            Libc.close(fd);
        }
    }

    /** The cookie of a named namespace, read on a thread inside it. */
    public static long cookie(String name) throws Exception {
        return call(name, NetNs::currentCookie);
    }

    private static String pathOf(String name) {
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("not a network namespace name: '" + name + "'");
        }
        return NETNS_DIR + name;
    }

    private static Exception unwrap(ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof Error error) {
            throw error;
        }
        return cause instanceof Exception ex ? ex : e;
    }
}
