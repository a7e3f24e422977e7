package dev.ferry.agent.datapath;

import dev.ferry.bpf.BpfException;
import dev.ferry.bpf.BpfLink;
import dev.ferry.bpf.BpfMap;
import dev.ferry.bpf.BpfObject;
import dev.ferry.bpf.BpfProgram;
import dev.ferry.bpf.CgroupAttachType;
import dev.ferry.bpf.LinkInfo;
import dev.ferry.sys.NetNs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * Host-network clients reaching Services (bpf/src/sock_host.bpf.c): four cgroup sock_addr
 * programs that send a connect() or sendto() for a VIP straight to a backend, and show the VIP
 * again in recvfrom() and getpeername(). Only sockets of one network namespace are translated,
 * the agent's: every agent of a lab machine attaches to the same cgroup.
 *
 * <p>The object declares the same maps as the pod datapath (maps.h) and shares them by pin
 * name, so it is loaded after {@link Datapath} and takes every map already pinned as it is (see
 * {@link BpfObject#adoptPinnedMaps()}): the reconciler's writes reach both.
 *
 * <p>Links are pinned as {@code <bpffs-root>/links/cgroup-<attach type>}: the hooks keep
 * translating when the agent stops (fail open), `ferry uninstall` detaches them with the rest of
 * links/, and a restarted agent swaps its programs into the pinned links (no gap).
 */
public final class HostSocketHooks implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HostSocketHooks.class.getName());
    public static final String OBJECT = "/bpf/sock_host.bpf.o";
    /** Pin names under links/ that belong to these hooks, not to an interface. */
    public static final String PIN_PREFIX = "cgroup-";

    /** A program of sock_host.bpf.o and the hook it serves. */
    public enum Hook {
        CONNECT4("sock_connect4", CgroupAttachType.INET4_CONNECT),
        SENDMSG4("sock_sendmsg4", CgroupAttachType.UDP4_SENDMSG),
        RECVMSG4("sock_recvmsg4", CgroupAttachType.UDP4_RECVMSG),
        GETPEERNAME4("sock_getpeername4", CgroupAttachType.INET4_GETPEERNAME);

        private final String program;
        private final CgroupAttachType type;

        Hook(String program, CgroupAttachType type) {
            this.program = program;
            this.type = type;
        }

        /** e.g. "cgroup-inet4-connect". */
        public String pinName() {
            return PIN_PREFIX + type.name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final BpfObject object;
    private final Path linksDir;
    private final long netnsCookie;
    private final Map<Hook, BpfLink> links = new EnumMap<>(Hook.class);

    private HostSocketHooks(BpfObject object, Path bpffsRoot, long netnsCookie) {
        this.object = object;
        this.linksDir = bpffsRoot.resolve("links");
        this.netnsCookie = netnsCookie;
    }

    /** Loads the hooks for the calling thread's network namespace (the agent's, run on the node). */
    public static HostSocketHooks load(Datapath datapath) {
        return load(datapath, NetNs.currentCookie());
    }

    /**
     * Loads the hooks for the namespace with this SO_NETNS_COOKIE, sharing the maps pinned by
     * {@code datapath} under its bpffs root. Nothing is attached yet.
     */
    public static HostSocketHooks load(Datapath datapath, long netnsCookie) {
        if (netnsCookie == 0) throw new IllegalArgumentException("netns cookie 0 names no namespace");
        BpfObject object = BpfObject.open(Datapath.resource(OBJECT), "sock_host", datapath.bpffsRoot());
        try {
            object.adoptPinnedMaps();
            object.setGlobalLong("netns_cookie", netnsCookie);
            // Affinity entries are shared with the pod programs: one clock for all their idle times.
            datapath.clock().configure(object);
            object.load();
            return new HostSocketHooks(object, datapath.bpffsRoot(), netnsCookie);
        } catch (RuntimeException e) {
            object.close();
            throw e;
        }
    }

    public long netnsCookie() {
        return netnsCookie;
    }

    /**
     * Attaches every hook to {@code cgroupDir} (normally the root of the cgroup2 mount, so that
     * every process of the node is covered), taking over links pinned by an earlier agent.
     * A hook whose pinned link serves another cgroup is attached anew before the old link goes,
     * so no socket passes untranslated meanwhile. Throws {@link BpfException} with the failing
     * call and errno; hooks attached before a failure stay attached ({@link #detach()} ends them).
     */
    public synchronized HostSocketHooks attach(Path cgroupDir) {
        if (!Cgroup2.isCgroup2(cgroupDir)) {
            throw new IllegalArgumentException(cgroupDir + " is not on a cgroup2 filesystem; mount one first: "
                    + "mount -t cgroup2 none " + cgroupDir);
        }
        long cgroupId = cgroupId(cgroupDir);
        createLinksDir();
        for (Hook hook : Hook.values()) {
            BpfProgram program = object.program(hook.program);
            Path pin = linksDir.resolve(hook.pinName());
            BpfLink previous = links.remove(hook);
            if (previous == null && Files.exists(pin)) previous = BpfLink.openPinned(pin);
            if (previous != null && serves(previous, hook, cgroupId)) {
                previous.update(program); // restart: the new program replaces the old one atomically
                links.put(hook, previous);
                LOG.log(System.Logger.Level.INFO, "{0}: took over pinned link", hook.pinName());
                continue;
            }
            BpfLink link = program.attachCgroup(cgroupDir, hook.type);
            if (previous != null) retire(previous, hook);
            link.pin(pin);
            links.put(hook, link);
            LOG.log(System.Logger.Level.INFO, "{0}: attached {1} to {2}", hook.pinName(), hook.program, cgroupDir);
        }
        return this;
    }

    /** Ends the translation: detaches every hook and removes its pin, also those left by an earlier agent. */
    public synchronized void detach() {
        for (Hook hook : Hook.values()) {
            BpfLink link = links.remove(hook);
            Path pin = linksDir.resolve(hook.pinName());
            if (link == null && Files.exists(pin)) link = BpfLink.openPinned(pin);
            if (link != null) retire(link, hook);
        }
    }

    /** The links of the hooks attached by this instance, by hook. */
    public synchronized Map<Hook, LinkInfo> attached() {
        Map<Hook, LinkInfo> out = new EnumMap<>(Hook.class);
        links.forEach((hook, link) -> out.put(hook, link.info()));
        return out;
    }

    public BpfMap map(String name) {
        return object.map(name);
    }

    private static boolean serves(BpfLink link, Hook hook, long cgroupId) {
        try {
            LinkInfo info = link.info();
            return info.type() == LinkInfo.TYPE_CGROUP && info.attachType() == hook.type.value()
                    && info.cgroupId() == cgroupId;
        } catch (BpfException e) {
            return false;
        }
    }

    private static void retire(BpfLink link, Hook hook) {
        try {
            link.detach();
        } catch (BpfException e) {
            // Already defunct (its cgroup was removed): the pin is all that is left.
            LOG.log(System.Logger.Level.DEBUG, "{0}: detach: {1}", hook.pinName(), e.getMessage());
        }
        try {
            link.unpin();
        } catch (IllegalStateException notPinned) {
            // attached by this instance and never pinned
        } finally {
            link.close();
        }
    }

    private static long cgroupId(Path cgroupDir) {
        try {
            return (long) Files.getAttribute(cgroupDir, "unix:ino"); // a cgroup2 directory's inode is its id
        } catch (IOException e) {
            throw new UncheckedIOException("cgroup " + cgroupDir, e);
        }
    }

    private void createLinksDir() {
        try {
            Files.createDirectories(linksDir);
        } catch (IOException e) {
            throw new UncheckedIOException("creating " + linksDir, e);
        }
    }

    /** Closes the programs' fds; pinned links keep the hooks attached without the agent. */
    @Override
    public synchronized void close() {
        links.values().forEach(BpfLink::close);
        links.clear();
        object.close();
    }
}
