// SPDX-License-Identifier: MIT
// tests/peers/netty/NettyRoom.java — a draft-75/76 chat room on Netty with hixie76-chat's rules.

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.ChannelMatchers;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker00;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.EventExecutor;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A chat room for draft-75/76 clients with the rules of hixie76-chat, for
 * side-by-side measurements (bench/scale.sh):
 *
 * <pre>
 * NettyRoom [--port N] [--bind ADDR] [--threads N] [--max-seconds S] [--max-message BYTES]
 * </pre>
 *
 * <ul>
 * <li>The room is at "/"; other paths get 404, non-upgrade requests 400.</li>
 * <li>A member's name is its IP:PORT. On joining, everyone (the newcomer included) gets
 *     "Welcome, NAME !".</li>
 * <li>Every text message is relayed to every member, sender included, as "NAME:message", in
 *     one global order: every relay runs on one room thread, and Netty keeps the writes of
 *     one thread to a channel in order.</li>
 * <li>"quit" or the closing handshake (FF 00) leaves; the others get "NAME Logout", as they
 *     do when a member disconnects.</li>
 * </ul>
 *
 * Prints "listening on ADDR:PORT" once bound. I/O runs on --threads event loops (default 1,
 * which also runs the room, as hixie76-chat runs in one thread; 0 is Netty's default, twice
 * the cores). Runs until SIGTERM or --max-seconds (default 3600).
 */
public final class NettyRoom {
    private static String bind = "127.0.0.1";
    private static int port = 0;
    private static int threads = 1;
    private static long maxSeconds = 3600;
    private static int maxMessage = 64 * 1024;

    /** The room's thread: joins, relays and departures, in one order. */
    private static EventExecutor room;
    private static ChannelGroup members;

    private NettyRoom() {
    }

    private static void usage(String problem) {
        System.err.println("NettyRoom: " + problem);
        System.err.println("usage: NettyRoom [--port N] [--bind ADDR] [--threads N]"
                + " [--max-seconds S] [--max-message BYTES]");
        System.exit(2);
    }

    static void log(String s) {
        System.err.println("NettyRoom: " + s);
    }

    public static void main(String[] args) throws Exception {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            try {
                switch (a) {
                    case "--port": port = Integer.parseInt(args[++i]); break;
                    case "--bind": bind = args[++i]; break;
                    case "--threads": threads = Integer.parseInt(args[++i]); break;
                    case "--max-seconds": maxSeconds = Long.parseLong(args[++i]); break;
                    case "--max-message": maxMessage = Integer.parseInt(args[++i]); break;
                    case "-h":
                    case "--help": usage("help"); break;
                    default: usage("unknown argument " + a);
                }
            } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
                usage("bad value for " + a);
            }
        }

        EventLoopGroup boss = new NioEventLoopGroup(1);
        EventLoopGroup worker = new NioEventLoopGroup(threads);
        // One event loop: the room runs on it, like hixie76-chat's single thread. More: the
        // room gets a thread of its own, through which every relay passes.
        room = threads == 1 ? worker.next() : new DefaultEventExecutor();
        members = new DefaultChannelGroup(room);
        Channel server;
        try {
            server = new ServerBootstrap()
                    .group(boss, worker)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            FrameGate gate = new FrameGate(true);
                            ch.pipeline().addLast("gate", gate);
                            ch.pipeline().addLast("http", new HttpServerCodec());
                            ch.pipeline().addLast("aggregator", new HttpObjectAggregator(65536));
                            ch.pipeline().addLast("app", new Member(gate));
                        }
                    })
                    .bind(bind, port).sync().channel();
        } catch (Exception e) {
            System.err.println("NettyRoom: bind " + bind + ":" + port + " failed: " + e);
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

        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.close().awaitUninterruptibly(500)));
        if (!server.closeFuture().await(maxSeconds, TimeUnit.SECONDS)) {
            log("--max-seconds " + maxSeconds + " reached, exiting");
        }
        System.exit(0);
    }

    /** Runs `task` on the room thread: at once when already there. */
    static void inRoom(Runnable task) {
        if (room.inEventLoop()) {
            task.run();
        } else {
            room.execute(task);
        }
    }

    /** Sends `text` to every member, on the room thread (one global order). */
    static void broadcast(String text) {
        inRoom(() -> sendToAll(text));
    }

    /** On the room thread: one frame to every member, without a future per member (void
     *  promises), which is the lighter of ChannelGroup's two ways. */
    static void sendToAll(String text) {
        members.writeAndFlush(new TextWebSocketFrame(text), ChannelMatchers.all(), true);
    }

    private static String nameOf(Channel ch) {
        InetSocketAddress a = (InetSocketAddress) ch.remoteAddress();
        String ip = a.getAddress().getHostAddress();
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + a.getPort();
    }

    private static final class Member extends SimpleChannelInboundHandler<Object> {
        private final FrameGate gate;
        private WebSocketServerHandshaker handshaker;
        private String name;
        private boolean joined;

        Member(FrameGate gate) {
            this.gate = gate;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof FullHttpRequest) {
                handleHttp(ctx, (FullHttpRequest) msg);
            } else if (msg instanceof WebSocketFrame) {
                handleFrame(ctx, (WebSocketFrame) msg);
            } else if (msg instanceof ByteBuf) {
                log(name + ": dropping " + ((ByteBuf) msg).readableBytes() + " unframed bytes");
            }
        }

        private void handleHttp(ChannelHandlerContext ctx, FullHttpRequest req) {
            Channel ch = ctx.channel();
            name = nameOf(ch);
            if (handshaker != null || !req.decoderResult().isSuccess()) {
                respond(ctx, HttpResponseStatus.BAD_REQUEST, "bad request");
                return;
            }
            String path = req.uri();
            int q = path.indexOf('?');
            if (!(q < 0 ? path : path.substring(0, q)).equals("/")) {
                respond(ctx, HttpResponseStatus.NOT_FOUND, "not found");
                return;
            }
            String url = "ws://" + req.headers().get(HttpHeaderNames.HOST, "") + req.uri();
            WebSocketServerHandshaker hs =
                    new WebSocketServerHandshakerFactory(url, null, false, maxMessage).newHandshaker(req);
            if (!(hs instanceof WebSocketServerHandshaker00)) {
                respond(ctx, HttpResponseStatus.BAD_REQUEST, "not a draft-75/76 request");
                return;
            }
            handshaker = hs;
            try {
                hs.handshake(ch, req).addListener((ChannelFutureListener) f -> {
                    if (!f.isSuccess()) {
                        ch.close();
                        return;
                    }
                    gate.release(ch.pipeline().context(gate));
                    inRoom(() -> {
                        if (ch.isActive()) {
                            joined = true;
                            members.add(ch);
                            sendToAll("Welcome, " + name + " !");
                        }
                    });
                });
            } catch (Exception e) {
                // Netty's draft-00 handshaker throws for a request without Origin.
                handshaker = null;
                respond(ctx, HttpResponseStatus.BAD_REQUEST, "handshake rejected: " + e);
            }
        }

        private void respond(ChannelHandlerContext ctx, HttpResponseStatus status, String why) {
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.copiedBuffer(why + "\n", StandardCharsets.UTF_8));
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            res.headers().set(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes());
            res.headers().set(HttpHeaderNames.CONNECTION, "close");
            ctx.channel().writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }

        private void handleFrame(ChannelHandlerContext ctx, WebSocketFrame frame) {
            Channel ch = ctx.channel();
            if (frame instanceof CloseWebSocketFrame) {
                leave(ch);
                handshaker.close(ch, (CloseWebSocketFrame) frame.retain())
                        .addListener(ChannelFutureListener.CLOSE);
                return;
            }
            if (frame instanceof TextWebSocketFrame) {
                String text = ((TextWebSocketFrame) frame).text();
                if (text.equals("quit")) {
                    leave(ch);
                    handshaker.close(ch, new CloseWebSocketFrame()).addListener(ChannelFutureListener.CLOSE);
                    return;
                }
                broadcast(name + ":" + text);
            }
        }

        /** Leaves the room (once): the others hear "NAME Logout". */
        private void leave(Channel ch) {
            inRoom(() -> {
                if (joined) {
                    joined = false;
                    members.remove(ch);
                    sendToAll(name + " Logout");
                }
            });
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            leave(ctx.channel());
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log(name + ": " + cause);
            ctx.close();
        }
    }
}
