// SPDX-License-Identifier: MIT
// tests/peers/netty/NettyClient.java — draft-76 command-line client on Netty (stdin lines out, messages to stdout).

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Draft-76 (hybi-00) WebSocket command-line client built on Netty's
 * WebSocketClientHandshaker00, in the style of wscat.
 *
 * <pre>
 * NettyClient ws://HOST:PORT/path [--origin URL] [--protocol NAME]
 *             [--wait MS] [--expect N] [--timeout S] [--max-frame BYTES]
 * </pre>
 *
 * After the handshake prints "CONNECTED" on stderr. Each stdin line (UTF-8,
 * without its line terminator) is sent as one text frame; each text frame
 * received is written to stdout followed by '\n' and flushed. On stdin EOF it
 * waits up to --wait ms (default 1000) for further messages (with --expect N:
 * until N messages in total have arrived, still bounded by --wait), sends the
 * close frame FF 00, waits up to 1 s for the server to close TCP and exits 0.
 * If the server closes first, "CLOSED" is printed on stderr and it exits 0.
 * Exit 1: connect or handshake failure (one line on stderr). Exit 2: usage
 * error or the --timeout (default 60 s) overall deadline was hit.
 */
public final class NettyClient {
    private static final PrintStream OUT =
            new PrintStream(new FileOutputStream(FileDescriptor.out), false);

    private static final AtomicInteger RECEIVED = new AtomicInteger();
    private static final Object LOCK = new Object();
    private static volatile boolean serverSentClose = false;

    private NettyClient() {
    }

    private static void usage(String problem) {
        System.err.println("NettyClient: " + problem);
        System.err.println("usage: NettyClient ws://HOST:PORT/path [--origin URL] [--protocol NAME]"
                + " [--wait MS] [--expect N] [--timeout S] [--max-frame BYTES]");
        System.exit(2);
    }

    private static void log(String s) {
        System.err.println("NettyClient: " + s);
        System.err.flush();
    }

    public static void main(String[] args) throws Exception {
        String url = null;
        String origin = null;
        String protocol = null;
        long waitMs = 1000;
        int expect = -1;
        long timeoutS = 60;
        int maxFrame = 16 * 1024 * 1024;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            try {
                switch (a) {
                    case "--origin": origin = args[++i]; break;
                    case "--protocol": protocol = args[++i]; break;
                    case "--wait": waitMs = Long.parseLong(args[++i]); break;
                    case "--expect": expect = Integer.parseInt(args[++i]); break;
                    case "--timeout": timeoutS = Long.parseLong(args[++i]); break;
                    case "--max-frame": maxFrame = Integer.parseInt(args[++i]); break;
                    case "-h":
                    case "--help": usage("help"); break;
                    default:
                        if (a.startsWith("--") || url != null) {
                            usage("unexpected argument " + a);
                        }
                        url = a;
                }
            } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
                usage("bad value for " + a);
            }
        }
        if (url == null) {
            usage("missing URL");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (Exception e) {
            usage("bad URL " + url + ": " + e.getMessage());
            return;
        }
        if (!"ws".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            usage("only ws://HOST[:PORT]/path URLs are supported: " + url);
        }
        final String host = uri.getHost();
        final int port = uri.getPort() == -1 ? 80 : uri.getPort();
        final long timeoutSecs = timeoutS;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSecs);

        // Backstop: never outlive the deadline, whatever is blocked.
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(timeoutSecs) + 2000);
            } catch (InterruptedException e) {
                return;
            }
            log("timeout after " + timeoutSecs + " s");
            Runtime.getRuntime().halt(2);
        }, "watchdog");
        watchdog.setDaemon(true);
        watchdog.start();

        HttpHeaders headers = new DefaultHttpHeaders();
        if (origin != null) {
            // Netty only adds its own Origin when none is present.
            headers.set(HttpHeaderNames.ORIGIN, origin);
        }
        WebSocketClientHandshaker handshaker = WebSocketClientHandshakerFactory.newHandshaker(
                uri, WebSocketVersion.V00, protocol, false, headers, maxFrame);

        EventLoopGroup group = new NioEventLoopGroup(1);
        Handler handler = new Handler(handshaker);
        Channel ch;
        try {
            ChannelFuture cf = new Bootstrap()
                    .group(group)
                    .channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                            (int) Math.min(10000, TimeUnit.SECONDS.toMillis(timeoutS)))
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            c.pipeline().addLast("gate", handler.gate);
                            c.pipeline().addLast("http", new HttpClientCodec());
                            c.pipeline().addLast("aggregator", new HttpObjectAggregator(65536));
                            c.pipeline().addLast("app", handler);
                        }
                    })
                    .connect(host, port);
            if (!cf.await(remainingMs(deadline)) || !cf.isSuccess()) {
                Throwable t = cf.cause();
                log("connect failed: " + (t == null ? "timeout" : t.getMessage() == null ? t : t.getMessage()));
                exit(group, 1);
            }
            ch = cf.channel();
        } catch (Exception e) {
            log("connect failed: " + e);
            exit(group, 1);
            return;
        }

        ChannelPromise hsDone = handler.handshakeFuture;
        if (!hsDone.await(remainingMs(deadline))) {
            log("handshake failed: no handshake response before the timeout");
            exit(group, 1);
        }
        if (!hsDone.isSuccess()) {
            Throwable t = hsDone.cause();
            log("handshake failed: " + (t == null ? "unknown" : t.getMessage() == null ? t.toString() : t.getMessage()));
            exit(group, 1);
        }
        System.err.println("CONNECTED");
        System.err.flush();

        CountDownLatch stdinEof = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (!ch.isActive()) {
                        break;
                    }
                    ch.writeAndFlush(new TextWebSocketFrame(
                            Unpooled.copiedBuffer(line, StandardCharsets.UTF_8)));
                }
            } catch (Exception e) {
                log("stdin: " + e);
            }
            stdinEof.countDown();
        }, "stdin");
        reader.setDaemon(true);
        reader.start();

        // Phase 1: until stdin EOF (or the server goes away).
        while (stdinEof.getCount() > 0 && ch.isActive() && !serverSentClose) {
            if (remainingMs(deadline) <= 0) {
                log("timeout after " + timeoutS + " s");
                exit(group, 2);
            }
            stdinEof.await(Math.min(50, remainingMs(deadline)), TimeUnit.MILLISECONDS);
        }

        // Phase 2: linger for late messages.
        if (stdinEof.getCount() == 0 && ch.isActive() && !serverSentClose) {
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
            synchronized (LOCK) {
                while (ch.isActive() && !serverSentClose) {
                    if (expect >= 0 && RECEIVED.get() >= expect) {
                        break;
                    }
                    long left = Math.min(remainingMs(deadline),
                            TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime()));
                    if (left <= 0) {
                        break;
                    }
                    LOCK.wait(Math.min(left, 50));
                }
            }
            if (expect >= 0 && RECEIVED.get() < expect) {
                log("expected " + expect + " messages, got " + RECEIVED.get());
            }
        }

        if (serverSentClose || !ch.isActive()) {
            // Server initiated the close; the handler already answered FF 00.
            ch.closeFuture().await(Math.min(1000, Math.max(1, remainingMs(deadline))));
            System.err.println("CLOSED");
            System.err.flush();
            exit(group, 0);
        }

        // Phase 3: client-initiated close.
        handler.clientClosing = true;
        ch.writeAndFlush(new CloseWebSocketFrame());
        if (!ch.closeFuture().await(Math.min(1000, Math.max(1, remainingMs(deadline))))) {
            log("server did not close the connection within 1 s after FF 00");
        }
        exit(group, 0);
    }

    private static long remainingMs(long deadline) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }

    private static void exit(EventLoopGroup group, int code) {
        OUT.flush();
        group.shutdownGracefully(0, 200, TimeUnit.MILLISECONDS).awaitUninterruptibly(1000);
        OUT.flush();
        System.exit(code);
    }

    private static final class Handler extends SimpleChannelInboundHandler<Object> {
        final FrameGate gate = new FrameGate(false);
        final WebSocketClientHandshaker handshaker;
        ChannelPromise handshakeFuture;
        volatile boolean clientClosing = false;

        Handler(WebSocketClientHandshaker handshaker) {
            this.handshaker = handshaker;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            handshakeFuture = ctx.newPromise();
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            handshaker.handshake(ctx.channel()).addListener(f -> {
                if (!f.isSuccess()) {
                    handshakeFuture.tryFailure(f.cause());
                }
            });
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            Channel ch = ctx.channel();
            if (!handshaker.isHandshakeComplete()) {
                if (!(msg instanceof FullHttpResponse)) {
                    handshakeFuture.tryFailure(new IllegalStateException(
                            "unexpected " + msg.getClass().getSimpleName() + " before the handshake response"));
                    ch.close();
                    return;
                }
                FullHttpResponse res = (FullHttpResponse) msg;
                try {
                    handshaker.finishHandshake(ch, res);
                } catch (Exception e) {
                    String why = e.getMessage() == null ? e.toString() : e.getMessage();
                    if (gate.missingHixieHeaders()) {
                        why += " (response lacks Sec-WebSocket-Origin/Sec-WebSocket-Location;"
                                + " Netty then does not read the 16-byte answer)";
                    }
                    handshakeFuture.tryFailure(new IllegalStateException(
                            why + " [status: " + res.status() + "]"));
                    gate.passThrough(ctx.pipeline().context(gate));
                    ch.close();
                    return;
                }
                // finishHandshake() queues the removal of the HTTP codec on the
                // event loop; release held frame bytes after that has run.
                ctx.executor().execute(() -> {
                    ChannelHandlerContext gctx = ctx.pipeline().context(gate);
                    if (gctx != null) {
                        gate.release(gctx);
                    }
                });
                handshakeFuture.trySuccess();
                return;
            }
            if (msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame) {
                if (msg instanceof BinaryWebSocketFrame) {
                    log("received a length-prefixed frame of "
                            + ((WebSocketFrame) msg).content().readableBytes() + " bytes");
                }
                ByteBuf data = ((WebSocketFrame) msg).content();
                byte[] bytes = new byte[data.readableBytes()];
                data.getBytes(data.readerIndex(), bytes);
                synchronized (OUT) {
                    OUT.write(bytes, 0, bytes.length);
                    OUT.write('\n');
                    OUT.flush();
                }
                RECEIVED.incrementAndGet();
                synchronized (LOCK) {
                    LOCK.notifyAll();
                }
            } else if (msg instanceof CloseWebSocketFrame) {
                if (!clientClosing) {
                    serverSentClose = true;
                    // Answer the closing handshake, then drop TCP.
                    ch.writeAndFlush(new CloseWebSocketFrame()).addListener(f -> ch.close());
                }
                synchronized (LOCK) {
                    LOCK.notifyAll();
                }
            } else if (msg instanceof ByteBuf) {
                log("dropping " + ((ByteBuf) msg).readableBytes() + " unframed bytes");
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            handshakeFuture.tryFailure(new IllegalStateException("connection closed by server"));
            synchronized (LOCK) {
                LOCK.notifyAll();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!handshakeFuture.isDone()) {
                handshakeFuture.tryFailure(cause);
            } else {
                log("error: " + cause);
            }
            ctx.close();
        }
    }
}
