package dev.ferry.agent.http;

import dev.ferry.agent.reconcile.ApplyResult;
import dev.ferry.agent.reconcile.SyncObserver;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;

/**
 * kube-proxy's proxier health (pkg/proxy/healthcheck/proxy_health.go): unhealthy only while a
 * queued update has waited longer than the timeout for a sync. Like kube-proxy, which records an
 * update when its sync loop starts, the agent counts as healthy from the start: an API server
 * that is not reachable yet queues nothing, and restarting the agent would not help it.
 * A pass with per-object errors (say, a full map) still counts as a sync: the writer is not
 * stuck, restarting would not make room, and the errors show in ferry_sync_errors_total.
 */
public final class ProxyHealth implements SyncObserver {
    /** kube-proxy's healthTimeout: twice its default --iptables-sync-period of 30 s. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private final InstantSource clock;
    private final Duration timeout;
    private final AtomicReference<State> state;

    /** @param oldestQueued null when every queued update has been synced */
    private record State(Instant lastUpdated, Instant oldestQueued) {
    }

    public record Status(boolean healthy, Instant lastUpdated, Instant currentTime) {
    }

    public ProxyHealth(InstantSource clock, Duration timeout) {
        this.clock = clock;
        this.timeout = timeout;
        this.state = new AtomicReference<>(new State(clock.instant(), null));
    }

    /** A change arrived; only the oldest unsynced one matters. */
    public void queuedUpdate() {
        Instant now = clock.instant();
        state.updateAndGet(s -> s.oldestQueued != null ? s : new State(s.lastUpdated, now));
    }

    /** A sync finished: everything queued so far is programmed. */
    public void updated() {
        state.set(new State(clock.instant(), null));
    }

    public Status status() {
        State s = state.get();
        Instant now = clock.instant();
        boolean healthy = s.oldestQueued == null || Duration.between(s.oldestQueued, now).compareTo(timeout) < 0;
        return new Status(healthy, s.lastUpdated, now);
    }

    @Override
    public void queued() {
        queuedUpdate();
    }

    @Override
    public void synced(ApplyResult result, Instant changeSeenAt, Duration took) {
        updated();
    }

    @Override
    public void failed(RuntimeException error, Duration took) {
        // Not a sync: the queued update stays pending, and health times out if none succeeds.
    }
}
