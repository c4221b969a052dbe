package serverlab.servers.reference;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import serverlab.servers.ServerOptions;
import serverlab.servers.core.AbstractServer;
import serverlab.servers.core.Listeners;
import serverlab.servers.event.SelectorProviders;
import serverlab.servers.http.HttpRequest;
import serverlab.servers.http.Response;
import serverlab.servers.http.Status;

/**
 * {@code netty}: Netty 4.2 in its classic shape, a boss loop accepting and {@code workers}
 * event loops serving (the production version of {@code multi-reactor}). Netty's own
 * HTTP codec parses; the handlers are ours ({@link serverlab.servers.handlers.Workloads}), so
 * the comparison is about the machinery, not the work. Handlers run on the event loop:
 * {@code /sleep} blocks a loop here exactly as it does in {@code multi-reactor}.
 *
 * <p>Configured as Netty's documentation recommends for a small HTTP/1.1 keep-alive server:
 * the native epoll transport on Linux, the default (adaptive, pooled) allocator,
 * {@code HttpServerCodec} + {@code HttpObjectAggregator}, responses written per request and
 * flushed once per read batch ({@code channelReadComplete}), {@code TCP_NODELAY}.
 */
public final class NettyServer extends AbstractServer {

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel listener;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final AtomicInteger inFlight = new AtomicInteger();

    public NettyServer(ServerOptions options) throws IOException {
        super("netty", options);
        Transport transport = Transport.of(options.selector());
        boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("netty-boss"), transport.io());
        workers = new MultiThreadIoEventLoopGroup(options.workers(), new DefaultThreadFactory("netty-loop"), transport.io());
        try {
            listener = new ServerBootstrap()
                    .group(boss, workers)
                    .channelFactory(transport.listener())
                    .option(ChannelOption.SO_BACKLOG, Listeners.BACKLOG)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            accept(channel);
                        }
                    })
                    .bind(options.bindAddress(), options.port()).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            shutdownGroups();
            throw new IOException("netty could not bind " + options.bindAddress() + ":" + options.port(), e);
        }
        announce();
    }

    /**
     * Netty's native epoll transport where the selector is epoll and the native library loads
     * (netty-all ships it for Linux x86_64, aarch64 and riscv64), as Netty's documentation
     * recommends on Linux; NIO over the JDK's selector otherwise, and always for {@code "poll"}
     * (only NIO can be given the poll provider). bench/servers, 2026-11-28, load ~25, interleaved,
     * JIT warmed: native epoll 0.71x nginx at 100 connections, NIO 0.42x.
     */
    private record Transport(IoHandlerFactory io, ChannelFactory<ServerChannel> listener) {
        static Transport of(String selector) {
            if (selector.equals(ServerOptions.EPOLL) && Epoll.isAvailable()) {
                return new Transport(EpollIoHandler.newFactory(), EpollServerSocketChannel::new);
            }
            SelectorProvider provider = SelectorProviders.forName(selector);
            return new Transport(NioIoHandler.newFactory(provider), () -> new NioServerSocketChannel(provider));
        }
    }

    private void accept(SocketChannel channel) {
        if (!context.admitsConnection() || context.draining()) {
            context.stats().connectionRefused();
            channel.close();
            return;
        }
        context.stats().connectionOpened();
        connections.add(channel);
        channel.closeFuture().addListener(f -> context.stats().connectionClosed());
        long idleMillis = options().idleTimeout().toMillis();
        channel.pipeline().addLast(
                new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS) {
                    @Override
                    protected void channelIdle(ChannelHandlerContext ctx, io.netty.handler.timeout.IdleStateEvent evt) {
                        ctx.close();
                    }
                },
                new HttpServerCodec(options().maxHeaderBytes(), options().maxHeaderBytes(), 8192),
                new HttpObjectAggregator((int) Math.min(Integer.MAX_VALUE, options().maxBodyBytes())),
                new WorkloadHandler());
    }

    /** Adapts Netty's request to ours, runs the shared handler, adapts the response back. */
    private final class WorkloadHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (request.decoderResult().isFailure()) {
                Response error = Response.error(Status.BAD_REQUEST, String.valueOf(request.decoderResult().cause()), true);
                context.stats().requestAnswered(context.stats().requestCounter(Thread.currentThread().getName()), error.status());
                ctx.writeAndFlush(toNetty(error, false, false)).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            inFlight.incrementAndGet();
            try {
                String uri = request.uri();
                int question = uri.indexOf('?');
                List<HttpRequest.Header> headers = new ArrayList<>();
                request.headers().forEach(h -> headers.add(new HttpRequest.Header(h.getKey(), h.getValue())));
                byte[] body = new byte[request.content().readableBytes()];
                request.content().getBytes(request.content().readerIndex(), body);
                boolean keepAlive = HttpUtil.isKeepAlive(request);
                HttpRequest ours = new HttpRequest(request.method().name(), uri, question < 0 ? uri : uri.substring(0, question),
                        question < 0 ? "" : uri.substring(question + 1), request.protocolVersion().minorVersion(), headers, body, keepAlive);
                Response response = context.handle(ours, context.stats().requestCounter(Thread.currentThread().getName()));
                boolean stayOpen = context.keepAlive(ours, response);
                FullHttpResponse answer = toNetty(response, stayOpen, ours.isHead());
                if (stayOpen) {
                    ctx.write(answer); // flushed once per read batch, in channelReadComplete
                } else {
                    ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
                }
            } finally {
                inFlight.decrementAndGet();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private FullHttpResponse toNetty(Response response, boolean keepAlive, boolean head) {
        ByteBuf body = head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(response.body().duplicate());
        FullHttpResponse answer = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(response.status()), body);
        answer.headers()
                .set(HttpHeaderNames.SERVER, "ServerLab/netty")
                .set(HttpHeaderNames.CONTENT_TYPE, response.contentType())
                .set(HttpHeaderNames.CONTENT_LENGTH, response.bodyLength());
        if (!keepAlive) answer.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return answer;
    }

    @Override
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    @Override
    protected boolean quiescent() {
        return inFlight.get() == 0;
    }

    @Override
    protected void drain() {
        listener.close().syncUninterruptibly();
    }

    @Override
    protected void shutdown() {
        listener.close().syncUninterruptibly();
        connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        shutdownGroups();
    }

    private void shutdownGroups() {
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
