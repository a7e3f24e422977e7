package dev.ferry.agent.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One small HTTP server (metrics or health) on one event-loop thread. Its thread is a daemon, so
 * a server never keeps the agent alive on its own.
 * <p>
 * Epoll rather than NIO, though a few scrapes a minute need no speed: a NIO listening socket
 * registered with a selector is only really closed when the selector next wakes up, so for a
 * moment after close() returned the port still accepts connections (19% of immediate connects
 * in HealthCheckNodePortsTest). A load balancer asking a healthCheckNodePort that was just
 * removed must find it closed. NIO remains for a JVM where the native library does not load.
 */
public final class HttpServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HttpServer.class.getName());

    private final EventLoopGroup group;
    private final Channel channel;

    private HttpServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /**
     * Binds and serves {@code routes} (path → reply). A port in use is reported as an
     * {@link IllegalStateException} naming the flag, not as a stack trace.
     */
    public static HttpServer start(BindAddress address, Map<String, Supplier<HttpReply>> routes) {
        EventLoopGroup group = newGroup("http-" + address.flag());
        try {
            Channel channel = listen(group, address.host(), address.port(), new HttpHandler(routes), null);
            LOG.log(System.Logger.Level.INFO, "serving {0} on {1}", routes.keySet(), channel.localAddress());
            return new HttpServer(group, channel);
        } catch (IOException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw new IllegalStateException("--" + address.flag() + " " + address + ": can not listen: " + e.getMessage(), e);
        }
    }

    /** One event-loop thread, a daemon, of the transport {@link #listen} uses. */
    static EventLoopGroup newGroup(String threadName) {
        DefaultThreadFactory threads = new DefaultThreadFactory(threadName, true);
        if (Epoll.isAvailable()) return new EpollEventLoopGroup(1, threads);
        LOG.log(System.Logger.Level.WARNING, "{0}: NIO, since epoll is unavailable ({1}): a closed port may accept "
                + "connections for a moment", threadName, Epoll.unavailabilityCause());
        return new NioEventLoopGroup(1, threads);
    }

    /**
     * Listens on {@code host:port} with {@code group}'s threads, which may serve other listeners too.
     *
     * @param connections null, or where each accepted connection is tracked, so that whoever
     *                    closes the listener without shutting down a shared group can close them
     * @throws IOException saying why, e.g. "Address already in use"
     */
    static Channel listen(EventLoopGroup group, String host, int port, HttpHandler handler,
                          ChannelGroup connections) throws IOException {
        ChannelFuture bound = new ServerBootstrap()
                .group(group)
                .channel(serverChannel(group))
                // A restarted agent must get its port back while old connections sit in TIME_WAIT.
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new HttpInitializer(handler, connections))
                .bind(host, port)
                .awaitUninterruptibly();
        if (bound.isSuccess()) return bound.channel();
        Throwable cause = bound.cause();
        throw new IOException(cause instanceof BindException ? cause.getMessage() : cause.toString(), cause);
    }

    private static Class<? extends ServerChannel> serverChannel(EventLoopGroup group) {
        return group instanceof EpollEventLoopGroup ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /** The bound port; differs from the flag's when it asked for port 0. */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
