package dev.ferry.agent.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Routes GET requests by path, or answers every request alike (a healthCheckNodePort, which
 * kube-proxy serves on any path and method). Every route reads values that the reconciler and the
 * metrics poller have already published, so the event loop never waits on a kernel map or a lock.
 */
@ChannelHandler.Sharable
final class HttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final System.Logger LOG = System.getLogger(HttpHandler.class.getName());

    private final Map<String, Supplier<HttpReply>> routes;
    /** null: route by path */
    private final Supplier<HttpReply> everyRequest;

    HttpHandler(Map<String, Supplier<HttpReply>> routes) {
        this(Map.copyOf(routes), null);
    }

    private HttpHandler(Map<String, Supplier<HttpReply>> routes, Supplier<HttpReply> everyRequest) {
        this.routes = routes;
        this.everyRequest = everyRequest;
    }

    /** Answers {@code reply} whatever the path and method. */
    static HttpHandler everyRequest(Supplier<HttpReply> reply) {
        return new HttpHandler(Map.of(), reply);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        HttpReply reply = route(request);
        FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(),
                HttpResponseStatus.valueOf(reply.status()),
                Unpooled.copiedBuffer(reply.body(), StandardCharsets.UTF_8));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, reply.contentType())
                .set("X-Content-Type-Options", "nosniff");
        reply.headers().forEach(response.headers()::set);
        if (reply.status() == 405) response.headers().set(HttpHeaderNames.ALLOW, "GET");
        HttpUtil.setContentLength(response, response.content().readableBytes());
        // HttpServerKeepAliveHandler closes after this response when either side asked for it.
        if (!request.decoderResult().isSuccess()) HttpUtil.setKeepAlive(response, false);
        ctx.writeAndFlush(response);
    }

    private HttpReply route(FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) return HttpReply.text(400, "bad request\n");
        Supplier<HttpReply> route = everyRequest;
        if (route == null) {
            route = routes.get(new QueryStringDecoder(request.uri()).path());
            if (route == null) return HttpReply.text(404, "404 page not found\n");
            if (!request.method().equals(HttpMethod.GET)) return HttpReply.text(405, "method not allowed\n");
        }
        try {
            return route.get();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "{0}: {1}", request.uri(), e.toString());
            return HttpReply.text(500, "internal error\n");
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(System.Logger.Level.DEBUG, "http connection: {0}", cause.toString());
        ctx.close();
    }
}
