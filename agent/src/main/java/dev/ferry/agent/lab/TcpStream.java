package dev.ferry.agent.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One long-lived TCP connection that keeps sending a line and reading the answer, for tests
 * that change Services under live traffic: an established flow must keep its backend and
 * survive agent restarts. It stops at the first error and keeps it.
 */
public final class TcpStream implements AutoCloseable {
    private final SocketChannel channel;
    private final AtomicLong exchanges = new AtomicLong();
    private final AtomicReference<IOException> failure = new AtomicReference<>();
    private final Set<String> servers = new LinkedHashSet<>();
    private final Thread pump;
    private volatile boolean closing;

    TcpStream(SocketChannel channel, Duration interval, Duration timeout) throws IOException {
        this.channel = channel;
        channel.socket().setSoTimeout((int) Math.max(1, timeout.toMillis()));
        this.pump = Thread.ofVirtual().name("tcp-stream").start(() -> pump(interval));
    }

    /** Completed request/answer pairs so far. */
    public long exchanges() {
        return exchanges.get();
    }

    /** Names of every server that answered on this connection; more than one would be a broken flow. */
    public synchronized Set<String> servers() {
        return Set.copyOf(servers);
    }

    /** The error that ended the stream, if it ended. */
    public Optional<IOException> failure() {
        return Optional.ofNullable(failure.get());
    }

    public boolean alive() {
        return pump.isAlive();
    }

    /** Waits until at least count exchanges completed; false if the stream failed or time ran out. */
    public boolean awaitExchanges(long count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (exchanges.get() < count) {
            if (!pump.isAlive() || System.nanoTime() > deadline) {
                return exchanges.get() >= count;
            }
            Thread.sleep(5);
        }
        return true;
    }

    private void pump(Duration interval) {
        try {
            OutputStream out = channel.socket().getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(channel.socket().getInputStream(), StandardCharsets.UTF_8));
            for (long n = 0; !closing; n++) {
                out.write(("ping " + n + "\n").getBytes(StandardCharsets.UTF_8));
                String line = in.readLine();
                if (line == null) {
                    throw new IOException("server closed the stream after " + n + " exchanges");
                }
                synchronized (this) {
                    servers.add(line.split(" ", 2)[0]);
                }
                exchanges.incrementAndGet();
                Thread.sleep(interval);
            }
        } catch (IOException e) {
            if (!closing) {
                failure.set(e);
            }
        } catch (InterruptedException e) {
            // Closing.
        }
    }

    @Override
    public void close() throws IOException {
        closing = true;
        pump.interrupt();
        channel.close();
    }
}
