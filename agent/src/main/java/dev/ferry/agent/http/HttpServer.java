package dev.ferry.agent.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One small HTTP server (metrics or health) on one event-loop thread. NIO rather than epoll:
 * a few scrapes a minute do not need a native transport. Its thread is a daemon, so a server
 * never keeps the agent alive on its own.
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
        EventLoopGroup group = new NioEventLoopGroup(1, new DefaultThreadFactory("http-" + address.flag(), true));
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    // A restarted agent must get its port back while old connections sit in TIME_WAIT.
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childHandler(new HttpInitializer(new HttpHandler(routes)))
                    .bind(address.host(), address.port())
                    .syncUninterruptibly()
                    .channel();
            LOG.log(System.Logger.Level.INFO, "serving {0} on {1}", routes.keySet(), channel.localAddress());
            return new HttpServer(group, channel);
        } catch (Exception e) { // Netty rethrows checked bind errors undeclared
            group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.MILLISECONDS);
            String why = e instanceof BindException ? e.getMessage() : e.toString();
            throw new IllegalStateException("--" + address.flag() + " " + address + ": can not listen: " + why, e);
        }
    }

    /** The bound port; differs from the flag's when it asked for port 0. */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
    }
}
