// SPDX-License-Identifier: MIT
// tests/peers/netty/NettyServer.java — draft-75/76 echo / broadcast server on Netty.

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker00;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Draft-75/76 (hybi-00) WebSocket test server built on Netty's
 * WebSocketServerHandshaker00.
 *
 * <pre>
 * NettyServer [--port N] [--bind ADDR] [--broadcast] [--protocols LIST]
 *             [--max-seconds S] [--max-frame BYTES] [--exit-on-stdin-eof]
 *             [--canonical-headers]
 * </pre>
 *
 * Prints "listening on ADDR:PORT" on stdout once bound. Echoes every text
 * (and length-prefixed) frame back to its sender, or with --broadcast sends it
 * to every connected client (sender included). A close frame (FF 00) is
 * answered with FF 00, then the TCP connection is closed. Runs until SIGTERM,
 * --max-seconds (default 120), or, with --exit-on-stdin-eof, until stdin
 * reaches EOF. Diagnostics go to stderr.
 *
 * Netty writes the 101 response with lower-case field names and the values
 * "websocket" / "upgrade". --canonical-headers rewrites that response to the
 * spelling used in the draft ("Upgrade: WebSocket", "Connection: Upgrade",
 * "Sec-WebSocket-Origin", ...); everything else stays Netty's own output.
 */
public final class NettyServer {
    private static String bind = "127.0.0.1";
    private static int port = 0;
    private static boolean broadcast = false;
    private static String protocols = null;
    private static long maxSeconds = 120;
    private static int maxFrame = 16 * 1024 * 1024;
    private static boolean exitOnStdinEof = false;
    private static boolean canonicalHeaders = false;

    private static final ChannelGroup CLIENTS = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

    private NettyServer() {
    }

    private static void usage(String problem) {
        System.err.println("NettyServer: " + problem);
        System.err.println("usage: NettyServer [--port N] [--bind ADDR] [--broadcast] [--protocols LIST]"
                + " [--max-seconds S] [--max-frame BYTES] [--exit-on-stdin-eof] [--canonical-headers]");
        System.exit(2);
    }

    static void log(String s) {
        System.err.println("NettyServer: " + s);
        System.err.flush();
    }

    public static void main(String[] args) throws Exception {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            try {
                switch (a) {
                    case "--port": port = Integer.parseInt(args[++i]); break;
                    case "--bind": bind = args[++i]; break;
                    case "--broadcast": broadcast = true; break;
                    case "--protocols": protocols = args[++i]; break;
                    case "--max-seconds": maxSeconds = Long.parseLong(args[++i]); break;
                    case "--max-frame": maxFrame = Integer.parseInt(args[++i]); break;
                    case "--exit-on-stdin-eof": exitOnStdinEof = true; break;
                    case "--canonical-headers": canonicalHeaders = true; break;
                    case "-h":
                    case "--help": usage("help"); break;
                    default: usage("unknown argument " + a);
                }
            } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
                usage("bad value for " + a);
            }
        }

        EventLoopGroup boss = new NioEventLoopGroup(1);
        EventLoopGroup worker = new NioEventLoopGroup(1);
        Channel server;
        try {
            server = new ServerBootstrap()
                    .group(boss, worker)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            FrameGate gate = new FrameGate(true);
                            ch.pipeline().addLast("gate", gate);
                            ch.pipeline().addLast("http", new HttpServerCodec());
                            if (canonicalHeaders) {
                                ch.pipeline().addLast("canonical", new CanonicalHeaders());
                            }
                            ch.pipeline().addLast("aggregator", new HttpObjectAggregator(65536));
                            ch.pipeline().addLast("app", new Handler(gate));
                        }
                    })
                    .bind(bind, port).sync().channel();
        } catch (Exception e) {
            System.err.println("NettyServer: bind " + bind + ":" + port + " failed: " + e);
            System.exit(1);
            return;
        }

        InetSocketAddress local = (InetSocketAddress) server.localAddress();
        String host = local.getAddress().getHostAddress();
        if (host.indexOf(':') >= 0) {
            host = "[" + host + "]";
        }
        System.out.println("listening on " + host + ":" + local.getPort());
        System.out.flush();

        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close().awaitUninterruptibly(500);
        }));

        if (exitOnStdinEof) {
            Thread t = new Thread(() -> {
                try {
                    InputStream in = System.in;
                    byte[] b = new byte[256];
                    while (in.read(b) >= 0) {
                        // discard
                    }
                } catch (Exception ignored) {
                    // treat as EOF
                }
                log("stdin closed, exiting");
                System.exit(0);
            }, "stdin-watch");
            t.setDaemon(true);
            t.start();
        }

        if (!server.closeFuture().await(maxSeconds, TimeUnit.SECONDS)) {
            log("--max-seconds " + maxSeconds + " reached, exiting");
        }
        System.exit(0);
    }

    /** Outbound: respell the 101 response's field names and fixed values. */
    private static final class CanonicalHeaders extends ChannelOutboundHandlerAdapter {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof HttpResponse && ((HttpResponse) msg).status().code() == 101) {
                HttpHeaders h = ((HttpResponse) msg).headers();
                List<Map.Entry<String, String>> entries = h.entries();
                h.clear();
                for (Map.Entry<String, String> e : entries) {
                    String name = canonicalName(e.getKey());
                    String value = e.getValue();
                    if (name.equals("Upgrade")) {
                        value = "WebSocket";
                    } else if (name.equals("Connection")) {
                        value = "Upgrade";
                    }
                    h.add(name, value);
                }
            }
            ctx.write(msg, promise);
        }

        private static String canonicalName(String name) {
            StringBuilder sb = new StringBuilder(name.length());
            for (String part : name.split("-", -1)) {
                if (sb.length() > 0) {
                    sb.append('-');
                }
                String lower = part.toLowerCase(Locale.ROOT);
                if (lower.equals("websocket")) {
                    sb.append("WebSocket");
                } else if (!lower.isEmpty()) {
                    sb.append(Character.toUpperCase(lower.charAt(0))).append(lower.substring(1));
                }
            }
            return sb.toString();
        }
    }

    private static final class Handler extends SimpleChannelInboundHandler<Object> {
        private final FrameGate gate;
        private WebSocketServerHandshaker handshaker;

        Handler(FrameGate gate) {
            this.gate = gate;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof FullHttpRequest) {
                handleHttp(ctx, (FullHttpRequest) msg);
            } else if (msg instanceof WebSocketFrame) {
                handleFrame(ctx, (WebSocketFrame) msg);
            } else if (msg instanceof ByteBuf) {
                log(ctx.channel().remoteAddress() + ": dropping " + ((ByteBuf) msg).readableBytes()
                        + " unframed bytes");
            }
        }

        private void handleHttp(ChannelHandlerContext ctx, FullHttpRequest req) {
            Channel ch = ctx.channel();
            if (handshaker != null) {
                log(ch.remoteAddress() + ": unexpected second HTTP request, closing");
                ch.close();
                return;
            }
            if (!req.decoderResult().isSuccess()) {
                reject(ctx, "bad HTTP request: " + req.decoderResult().cause());
                return;
            }
            String host = req.headers().get(HttpHeaderNames.HOST, "");
            String url = "ws://" + host + req.uri();
            WebSocketServerHandshakerFactory factory =
                    new WebSocketServerHandshakerFactory(url, protocols, false, maxFrame);
            WebSocketServerHandshaker hs = factory.newHandshaker(req);
            if (!(hs instanceof WebSocketServerHandshaker00)) {
                reject(ctx, "not a draft-75/76 request (Sec-WebSocket-Version: "
                        + req.headers().get(HttpHeaderNames.SEC_WEBSOCKET_VERSION) + ")");
                return;
            }
            final String draft = req.headers().contains(HttpHeaderNames.SEC_WEBSOCKET_KEY1)
                    && req.headers().contains(HttpHeaderNames.SEC_WEBSOCKET_KEY2) ? "76" : "75";
            handshaker = hs;
            try {
                hs.handshake(ch, req).addListener((ChannelFutureListener) f -> {
                    if (f.isSuccess()) {
                        CLIENTS.add(ch);
                        log(ch.remoteAddress() + ": draft-" + draft + " handshake ok, " + url);
                        gate.release(ch.pipeline().context(gate));
                    } else {
                        log(ch.remoteAddress() + ": handshake failed: " + f.cause());
                        ch.close();
                    }
                });
            } catch (Exception e) {
                // WebSocketServerHandshaker00 throws synchronously: a
                // WebSocketHandshakeException for a missing Upgrade/Connection
                // or a draft-75 request without Origin, and a
                // NullPointerException("value") for a draft-76 request without
                // Origin.
                handshaker = null;
                String why = "handshake rejected: " + e;
                if (draft.equals("76") && !req.headers().contains(HttpHeaderNames.ORIGIN)) {
                    why += " (request has no Origin)";
                }
                reject(ctx, why);
            }
        }

        private void reject(ChannelHandlerContext ctx, String why) {
            log(ctx.channel().remoteAddress() + ": " + why);
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.BAD_REQUEST,
                    Unpooled.copiedBuffer(why + "\n", StandardCharsets.UTF_8));
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            res.headers().set(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes());
            res.headers().set(HttpHeaderNames.CONNECTION, "close");
            ctx.channel().writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }

        private void handleFrame(ChannelHandlerContext ctx, WebSocketFrame frame) {
            Channel ch = ctx.channel();
            if (frame instanceof CloseWebSocketFrame) {
                // close() writes FF 00 but leaves TCP open; close it afterwards.
                handshaker.close(ch, (CloseWebSocketFrame) frame.retain())
                        .addListener(ChannelFutureListener.CLOSE);
                return;
            }
            if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame) {
                if (broadcast) {
                    CLIENTS.writeAndFlush(frame.retainedDuplicate());
                } else {
                    ch.writeAndFlush(frame.retainedDuplicate());
                }
                return;
            }
            log(ch.remoteAddress() + ": ignoring " + frame.getClass().getSimpleName());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (handshaker != null) {
                log(ctx.channel().remoteAddress() + ": disconnected");
            }
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log(ctx.channel().remoteAddress() + ": " + cause);
            ctx.close();
        }
    }
}
