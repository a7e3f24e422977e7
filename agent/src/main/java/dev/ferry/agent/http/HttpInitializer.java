package dev.ferry.agent.http;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;

/** The pipeline of each connection: HTTP/1.1 codec, whole requests, keep-alive, then routing. */
final class HttpInitializer extends ChannelInitializer<SocketChannel> {
    /** Only GETs are served; a bigger request is a mistake or an attack. */
    private static final int MAX_REQUEST_BYTES = 64 * 1024;

    private final HttpHandler handler;
    private final ChannelGroup connections;

    /** @param connections null, or where each connection is tracked so its listener can close it */
    HttpInitializer(HttpHandler handler, ChannelGroup connections) {
        this.handler = handler;
        this.connections = connections;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        if (connections != null) connections.add(ch);
        ch.pipeline()
                .addLast(new HttpServerCodec())
                .addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES))
                .addLast(new HttpServerKeepAliveHandler())
                .addLast(handler);
    }
}
