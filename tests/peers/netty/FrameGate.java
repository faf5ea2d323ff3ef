// SPDX-License-Identifier: MIT
// tests/peers/netty/FrameGate.java — splits the raw stream into whole handshakes and frames for Netty.

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * First inbound handler of both peers. It cuts the raw byte stream into the
 * pieces Netty 4.1.48's draft-00 code can digest:
 *
 * <ol>
 * <li>HEAD: accumulates the HTTP head (up to CRLF CRLF) plus the handshake
 *     body (key3 = 8 bytes on the server side, the 16-byte answer on the
 *     client side, using the same length rules Netty's HTTP decoder applies)
 *     and forwards exactly that to the HTTP codec. A 101 response without
 *     Sec-WebSocket-Origin/-Location is forwarded with "content-length: 0"
 *     added, because Netty would otherwise read its body until EOF and the
 *     handshake would only fail once the server closes.</li>
 * <li>HOLD: everything after the handshake body is kept back until the peer
 *     calls {@link #release}, i.e. until Netty has swapped the HTTP codec for
 *     the WebSocket00 frame codec. Without this, frame bytes that share a TCP
 *     segment with key3 leave the removed HTTP codec as a raw ByteBuf that
 *     bypasses the WebSocket decoder, and the frame is lost.</li>
 * <li>FRAMES: forwards only complete draft-75/76 frames
 *     (0x00..0x7F type + data + 0xFF, or 0x80..0xFF type + length + data),
 *     one frame per read. WebSocket00FrameDecoder drops the type byte of a
 *     text frame whose terminating 0xFF has not arrived yet, so it must never
 *     see a partial frame.</li>
 * <li>PASS: raw pass-through (non-101 responses, malformed heads, failures).</li>
 * </ol>
 */
final class FrameGate extends ChannelInboundHandlerAdapter {
    private enum Mode { HEAD, HOLD, FRAMES, PASS }

    private static final int MAX_HEAD = 64 * 1024;

    private final boolean serverSide;
    private ByteBuf buf;
    private Mode mode = Mode.HEAD;
    private boolean missingHixieHeaders = false;

    FrameGate(boolean serverSide) {
        this.serverSide = serverSide;
    }

    /** True when a 101 response lacked Sec-WebSocket-Origin or -Location. */
    boolean missingHixieHeaders() {
        return missingHixieHeaders;
    }

    /** Switch from HOLD to FRAMES; must be called on the channel's event loop. */
    void release(ChannelHandlerContext ctx) {
        if (mode == Mode.HOLD) {
            mode = Mode.FRAMES;
            drain(ctx);
        }
    }

    /** Give up on framing and pass everything through unchanged. */
    void passThrough(ChannelHandlerContext ctx) {
        mode = Mode.PASS;
        drain(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ByteBuf in = (ByteBuf) msg;
        try {
            if (buf == null) {
                buf = ctx.alloc().buffer(Math.max(256, in.readableBytes()));
            }
            buf.writeBytes(in);
        } finally {
            ReferenceCountUtil.release(in);
        }
        drain(ctx);
    }

    private void drain(ChannelHandlerContext ctx) {
        while (buf != null && buf.isReadable() && !ctx.isRemoved()) {
            int before = buf.readableBytes();
            switch (mode) {
                case HEAD:
                    handleHead(ctx);
                    break;
                case HOLD:
                    return;
                case FRAMES:
                    handleFrame(ctx);
                    break;
                case PASS:
                default:
                    ctx.fireChannelRead(buf.readBytes(buf.readableBytes()));
                    break;
            }
            if (buf != null && buf.readableBytes() == before && mode != Mode.PASS) {
                break; // need more input
            }
        }
        if (buf != null && !buf.isReadable()) {
            buf.clear();
        } else if (buf != null && buf.readerIndex() > 4096) {
            buf.discardReadBytes();
        }
    }

    private void handleHead(ChannelHandlerContext ctx) {
        int start = buf.readerIndex();
        int end = buf.writerIndex();
        int headEnd = -1;
        for (int i = start; i + 3 < end; i++) {
            if (buf.getByte(i) == '\r' && buf.getByte(i + 1) == '\n'
                    && buf.getByte(i + 2) == '\r' && buf.getByte(i + 3) == '\n') {
                headEnd = i + 4;
                break;
            }
        }
        if (headEnd < 0) {
            if (end - start > MAX_HEAD) {
                mode = Mode.PASS;
            }
            return;
        }
        String head = buf.toString(start, headEnd - start, StandardCharsets.ISO_8859_1);
        long body = bodyLength(head);
        if (body < 0) {
            mode = Mode.PASS;
            return;
        }
        if (end - headEnd < body) {
            return; // wait for the rest of the body
        }
        mode = Mode.HOLD;
        if (missingHixieHeaders) {
            // Netty reads the body of a 101 response that lacks
            // Sec-WebSocket-Origin/-Location until EOF, so the handshake would
            // hang until the server closes. Mark the head as body-less instead:
            // the handshake then fails at once ("Invalid challenge").
            buf.skipBytes(headEnd - start);
            String patched = head.substring(0, head.length() - 2) + "content-length: 0\r\n\r\n";
            ctx.fireChannelRead(ctx.alloc().buffer(patched.length())
                    .writeBytes(patched.getBytes(StandardCharsets.ISO_8859_1)));
            return;
        }
        // Forward copies: the HTTP/WebSocket decoders may keep what they are
        // given as their cumulation buffer, while buf is reused.
        ctx.fireChannelRead(buf.readBytes((int) (headEnd - start + body)));
    }

    /** Body length of the handshake message, or -1 to switch to pass-through. */
    private long bodyLength(String head) {
        String[] lines = head.split("\r\n");
        String first = lines.length > 0 ? lines[0] : "";
        long contentLength = -1;
        boolean key1 = false, key2 = false, origin = false, location = false, chunked = false;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).trim();
            switch (name) {
                case "content-length":
                    try {
                        contentLength = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        return -1;
                    }
                    break;
                case "transfer-encoding":
                    chunked = true;
                    break;
                case "sec-websocket-key1":
                    key1 = true;
                    break;
                case "sec-websocket-key2":
                    key2 = true;
                    break;
                case "sec-websocket-origin":
                    origin = true;
                    break;
                case "sec-websocket-location":
                    location = true;
                    break;
                default:
                    break;
            }
        }
        if (chunked || contentLength > MAX_HEAD) {
            return -1;
        }
        if (serverSide) {
            if (contentLength >= 0) {
                return contentLength;
            }
            // Same rule as Netty's HttpUtil: GET with both keys carries 8 bytes.
            return first.startsWith("GET ") && key1 && key2 ? 8 : 0;
        }
        String[] status = first.split(" ", 3);
        if (status.length < 2 || !status[1].equals("101")) {
            return -1;
        }
        if (contentLength >= 0) {
            return contentLength;
        }
        // Same rule as Netty's HttpUtil: 101 with both headers carries 16 bytes.
        if (origin && location) {
            return 16;
        }
        missingHixieHeaders = true;
        return 0;
    }

    private void handleFrame(ChannelHandlerContext ctx) {
        int start = buf.readerIndex();
        int end = buf.writerIndex();
        byte type = buf.getByte(start);
        int frameEnd;
        if ((type & 0x80) == 0) {
            int ff = buf.indexOf(start + 1, end, (byte) 0xFF);
            if (ff < 0) {
                return;
            }
            frameEnd = ff + 1;
        } else {
            long length = 0;
            int i = start + 1;
            while (true) {
                if (i >= end) {
                    return;
                }
                byte b = buf.getByte(i++);
                length = (length << 7) | (b & 0x7F);
                if (length > Integer.MAX_VALUE / 2) {
                    mode = Mode.PASS; // let Netty report the oversized frame
                    return;
                }
                if ((b & 0x80) == 0) {
                    break;
                }
            }
            if ((long) end - i < length) {
                return;
            }
            frameEnd = (int) (i + length);
        }
        ctx.fireChannelRead(buf.readBytes(frameEnd - start));
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (buf != null) {
            buf.release();
            buf = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (buf != null) {
            buf.release();
            buf = null;
        }
        super.channelInactive(ctx);
    }
}
