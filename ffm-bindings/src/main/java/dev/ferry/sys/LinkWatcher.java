package dev.ferry.sys;

import java.time.Duration;

/**
 * Wakes the agent when links appear, disappear or change in the calling thread's network
 * namespace (RTMGRP_LINK). It says only "something changed": the caller lists links again,
 * which stays correct even when the kernel drops events because the queue overflowed.
 *
 * <pre>
 * try (LinkWatcher watcher = LinkWatcher.open()) {
 *     while (running) { reconcile(Netlink.links()); watcher.awaitChange(Duration.ofSeconds(1)); }
 * }
 * </pre>
 * Open the watcher before the first listing so that no change falls between the two.
 */
public final class LinkWatcher implements AutoCloseable {
    private final NetlinkSocket socket;

    private LinkWatcher(NetlinkSocket socket) {
        this.socket = socket;
    }

    public static LinkWatcher open() {
        return new LinkWatcher(NetlinkSocket.open(NetlinkSocket.RTMGRP_LINK));
    }

    /**
     * Waits up to timeout for link events. Returns true when at least one arrived (all pending
     * ones are drained, so the next call waits for new ones), false on timeout.
     */
    public boolean awaitChange(Duration timeout) {
        if (!socket.awaitReadable(timeout)) {
            return false;
        }
        drain();
        return true;
    }

    private void drain() {
        while (true) {
            try {
                if (socket.receiveNow() == null) {
                    return;
                }
            } catch (SyscallException e) {
                if (e.errno() != Libc.ENOBUFS) {
                    throw e;
                }
                // Events were lost; the caller relists anyway. Keep draining what is left.
            }
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
