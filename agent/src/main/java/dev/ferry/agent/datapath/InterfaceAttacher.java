package dev.ferry.agent.datapath;

import dev.ferry.bpf.BpfException;
import dev.ferry.bpf.BpfLink;
import dev.ferry.bpf.BpfProgram;
import dev.ferry.bpf.TcAttachment;
import dev.ferry.bpf.TcDirection;
import dev.ferry.sys.LinkWatcher;
import dev.ferry.sys.NetLink;
import dev.ferry.sys.Netlink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Keeps programs attached to the interfaces they belong on, in the agent's network namespace:
 * from_pod on TC ingress and to_pod on TC egress of every pod interface (--pod-interfaces),
 * from_node as XDP on every node interface (--nodeport-interfaces). Links are pinned under
 * {@code <bpffs-root>/links}, so the programs keep forwarding when the agent stops (fail open);
 * a restarted agent swaps the new programs into the pinned links atomically (no traffic gap).
 * New interfaces are picked up from netlink link events, with a periodic resync as a backstop.
 */
public final class InterfaceAttacher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(InterfaceAttacher.class.getName());
    private static final Duration RESYNC = Duration.ofMillis(500);

    /** A program placed on every interface a predicate selects; {@code name} ends the link's pin name. */
    public record Hook(String name, Predicate<String> selects, BpfProgram program, IntFunction<TcAttachment> attach) {
        public static Hook tc(BpfProgram program, TcDirection direction, Predicate<String> selects) {
            return new Hook(direction.name().toLowerCase(), selects, program, ifindex -> program.attachTc(ifindex, direction));
        }

        public static Hook xdp(BpfProgram program, Predicate<String> selects) {
            return new Hook("xdp", selects, program, program::attachXdp);
        }
    }

    /** One hook on one interface; also its pin file name. */
    public record Attachment(int ifindex, String ifname, String hook) {
        String pinName() {
            return ifindex + "-" + ifname + "-" + hook;
        }

        static Attachment fromPinName(String name) {
            String[] parts = name.split("-");
            if (parts.length < 3) return null;
            try {
                String ifname = name.substring(parts[0].length() + 1, name.lastIndexOf('-'));
                return new Attachment(Integer.parseInt(parts[0]), ifname, parts[parts.length - 1]);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
    }

    private final Path linksDir;
    private final List<Hook> hooks;
    private final Consumer<Set<Attachment>> afterSync;
    private final Map<Attachment, TcAttachment> attached = new HashMap<>();
    private final Set<Attachment> failed = new HashSet<>();
    private volatile boolean running = true;
    private Thread thread;

    /** @param afterSync told what is attached after every pass (on the attacher's thread) */
    public InterfaceAttacher(Path bpffsRoot, List<Hook> hooks, Consumer<Set<Attachment>> afterSync) {
        this.linksDir = bpffsRoot.resolve("links");
        this.hooks = List.copyOf(hooks);
        this.afterSync = afterSync;
    }

    /** Attaches to what exists now, then follows link events on a thread of its own. */
    public InterfaceAttacher start() {
        try {
            Files.createDirectories(linksDir);
        } catch (IOException e) {
            throw new UncheckedIOException("creating " + linksDir, e);
        }
        sync();
        thread = Thread.ofPlatform().name("pod-interfaces").daemon().start(this::run);
        return this;
    }

    private void run() {
        try (LinkWatcher watcher = LinkWatcher.open()) {
            while (running) {
                watcher.awaitChange(RESYNC);
                if (running) sync();
            }
        } catch (RuntimeException e) {
            if (running) LOG.log(System.Logger.Level.ERROR, "interface watcher stopped: " + e.getMessage(), e);
        }
    }

    /** One pass: attach to new interfaces, forget and unpin vanished ones. */
    synchronized void sync() {
        List<NetLink> links = Netlink.links();
        Set<Attachment> wanted = new HashSet<>();
        for (NetLink link : links) {
            for (Hook hook : hooks) {
                if (hook.selects().test(link.name())) wanted.add(new Attachment(link.index(), link.name(), hook.name()));
            }
        }
        for (Attachment a : wanted) {
            if (!attached.containsKey(a) && !failed.contains(a)) attach(a);
        }
        failed.retainAll(wanted);
        for (var it = attached.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (wanted.contains(e.getKey())) continue;
            LOG.log(System.Logger.Level.INFO, "interface {0} is gone", e.getKey().ifname());
            release(e.getKey(), e.getValue());
            it.remove();
        }
        removeStalePins(wanted);
        try {
            afterSync.accept(Set.copyOf(attached.keySet()));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "after attaching: " + e.getMessage(), e);
        }
    }

    private void attach(Attachment a) {
        Hook hook = hooks.stream().filter(h -> h.name().equals(a.hook())).findFirst().orElseThrow();
        BpfProgram program = hook.program();
        Path pin = linksDir.resolve(a.pinName());
        try {
            TcAttachment attachment;
            if (Files.exists(pin)) {
                BpfLink link = BpfLink.openPinned(pin);
                link.update(program); // restart: the new program replaces the old one atomically
                attachment = link;
                LOG.log(System.Logger.Level.INFO, "{0} {1}: took over pinned link", a.ifname(), a.hook());
            } else {
                attachment = hook.attach().apply(a.ifindex());
                if (attachment instanceof BpfLink link) link.pin(pin);
                LOG.log(System.Logger.Level.INFO, "{0} {1}: attached {2}", a.ifname(), a.hook(), program.name());
            }
            attached.put(a, attachment);
        } catch (BpfException e) {
            // The interface may have vanished between the dump and the attach: retried if it comes back.
            failed.add(a);
            LOG.log(System.Logger.Level.WARNING, "{0} {1}: attach failed: {2}", a.ifname(), a.hook(), e.getMessage());
        }
    }

    private void release(Attachment a, TcAttachment attachment) {
        try {
            if (attachment instanceof BpfLink link) {
                link.unpin();
                link.close();
            } else {
                attachment.detach();
            }
        } catch (BpfException e) {
            LOG.log(System.Logger.Level.WARNING, "{0}: releasing: {1}", a.ifname(), e.getMessage());
        }
    }

    /**
     * Pins of interfaces deleted while no agent ran hold dead links: remove them. Pins whose
     * names are no interface attachment belong to other owners of links/ (the host socket
     * hooks' cgroup-*) and stay.
     */
    private void removeStalePins(Set<Attachment> wanted) {
        try (Stream<Path> pins = Files.list(linksDir)) {
            for (Path pin : pins.toList()) {
                Attachment a = Attachment.fromPinName(pin.getFileName().toString());
                if (a != null && !wanted.contains(a)) Files.deleteIfExists(pin);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cleaning {0}: {1}", linksDir, e.getMessage());
        }
    }

    public synchronized int attachedCount() {
        return attached.size();
    }

    /** Stops following interfaces. Pinned links stay: the datapath keeps running without the agent. */
    @Override
    public void close() {
        running = false;
        if (thread != null) thread.interrupt();
        synchronized (this) {
            attached.values().forEach(a -> {
                if (a instanceof BpfLink link) link.close();
            });
            attached.clear();
        }
    }
}
