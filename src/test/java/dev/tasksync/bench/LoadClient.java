package dev.tasksync.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The benchmark's client side: holds N authenticated WebSocket connections to one or more
 * tasksync processes, spread over several 127.0.0.x source addresses, and records the
 * delivery latency of every event (the publisher's {@code sent_us} wall-clock stamp → frame
 * received here) in an HdrHistogram. Driven over stdin by {@code src/test/bench/bench.py}:
 * {@code stats} prints and resets the interval histogram (and adds it to a running total),
 * {@code total} prints and resets that total (exact percentiles over several intervals),
 * {@code stamps} (with {@code --stamps true}) prints, per publisher stamp seen since the last
 * {@code stamps}, how many frames carried it and the slowest of them: one broadcast's deliveries
 * share one stamp, so that is the time until its last subscriber had it. {@code quit} exits. One
 * JSON object per stdout line.
 *
 * <p>{@code --premint true} mints every token before connecting, so the client's own signing is
 * not part of the connect time; {@code --gate true} prints {@code gated} and waits for {@code go}
 * on stdin before connecting, so the orchestrator can take the servers' CPU reading exactly at
 * the start. {@code ready}, {@code gated} and the churn lines carry the tool's own CPU seconds.
 *
 * <p>{@code --transport sse} holds Server-Sent Events streams ({@code GET /sse}, the topic named at
 * connect) instead of WebSockets; each event's {@code data:} is counted as a WebSocket frame is.
 *
 * <p>{@code --presence true} subscribes to {@code --topic} with {@code "presence":true}; {@code stats}
 * then also counts the presence frames received ({@code presence_state}, {@code presence_diff}),
 * their bytes, and the most any one connection received since the last {@code stats}
 * ({@code presence_*}). {@code --name-claim true} gives every token a {@code name} claim (the
 * presence {@code info} others see). {@code reconnect} drops every connection at once and opens
 * them again (same users, same subscription), then prints {@code reconnected}.
 *
 * <p>Mode {@code churn} instead opens and closes connections for a fixed time and reports
 * completed handshakes (token verified, greeting received) per second; it prints
 * {@code started} when its clock starts.
 *
 * <p>Mode {@code presence-churn} opens {@code --rate} connections per second for {@code --seconds},
 * each for a user of its own (from {@code --user-offset}) subscribing to {@code --topic}, and closes
 * each {@code --hold-ms} after it opened: a steady stream of users joining and leaving a topic.
 * It prints {@code started}, then {@code churned}.
 */
public final class LoadClient {

    private static final byte[] SENT_US = "\"sent_us\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT_ID = "\"id\":\"ev-".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SSE_EVENT_END = "\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SSE_DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PRESENCE_STATE = "{\"type\":\"presence_state\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PRESENCE_DIFF = "{\"type\":\"presence_diff\"".getBytes(StandardCharsets.US_ASCII);

    private final BenchArgs args;
    private final Recorder latency = new Recorder(3_600_000_000L, 3);
    private final Histogram accumulated = new Histogram(3_600_000_000L, 3);
    private final boolean trackStamps;
    // --deflate true: offer permessage-deflate (the client's zlib state is the load tool's cost).
    private final boolean deflate;
    // --transport sse: Server-Sent Events streams instead of WebSockets.
    private final boolean sse;
    // --presence true: subscribe with "presence":true.
    private final boolean presence;
    private final boolean nameClaim;
    /** Presence frames received since the last {@code stats}: snapshots and diffs, with their bytes. */
    private final AtomicLong presenceStates = new AtomicLong();
    private final AtomicLong presenceStateBytes = new AtomicLong();
    private final AtomicLong presenceStateMaxBytes = new AtomicLong();
    private final AtomicLong presenceDiffs = new AtomicLong();
    private final AtomicLong presenceDiffBytes = new AtomicLong();
    /** Every other frame after the subscription (pongs, errors, replies), since the last {@code stats}. */
    private final AtomicLong otherFrames = new AtomicLong();
    private final List<Session> sessions = java.util.Collections.synchronizedList(new ArrayList<>());
    private final java.util.concurrent.ConcurrentHashMap<Long, StampStat> stamps = new java.util.concurrent.ConcurrentHashMap<>();
    private String[] tokens;
    private final AtomicLong received = new AtomicLong();
    /** Frames whose event id this connection had already received since the last {@code stats}: a duplicate can hide a loss in a count. */
    private final AtomicLong duplicates = new AtomicLong();
    /** Bumped by every {@code stats}: each connection then forgets the ids it saw (lazily, on its own event loop). */
    private final AtomicLong generation = new AtomicLong();
    private final AtomicLong ready = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong closedByServer = new AtomicLong();
    private final ConcurrentLinkedQueue<String> closeCodes = new ConcurrentLinkedQueue<>();
    private final List<Channel> channels = java.util.Collections.synchronizedList(new ArrayList<>());
    private final EventLoopGroup group;
    private final Class<? extends SocketChannel> channelType;
    private volatile boolean quitting;

    private LoadClient(BenchArgs args) {
        this.args = args;
        boolean epoll = Epoll.isAvailable();
        this.group = new MultiThreadIoEventLoopGroup(args.integer("threads", 2),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        this.channelType = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        this.trackStamps = Boolean.parseBoolean(args.string("stamps", "false"));
        this.deflate = Boolean.parseBoolean(args.string("deflate", "false"));
        this.sse = "sse".equals(args.string("transport", "ws"));
        this.presence = Boolean.parseBoolean(args.string("presence", "false"));
        this.nameClaim = Boolean.parseBoolean(args.string("name-claim", "false"));
    }

    public static void main(String[] argv) throws Exception {
        BenchArgs args = BenchArgs.parse(argv);
        LoadClient client = new LoadClient(args);
        try {
            String mode = args.string("mode", "hold");
            if ("churn".equals(mode)) {
                client.churn();
            } else if ("presence-churn".equals(mode)) {
                client.presenceChurn();
            } else {
                client.hold();
            }
        } finally {
            client.group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** Opens the connections, reports, then serves stdin commands until {@code quit}. */
    private void hold() throws Exception {
        int connections = args.integer("connections", 1000);
        var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        if (Boolean.parseBoolean(args.string("premint", "false"))) {
            tokens = new String[connections];
            for (int i = 0; i < connections; i++) {
                tokens[i] = new Session(i, () -> { }).token();
            }
        }
        if (Boolean.parseBoolean(args.string("gate", "false"))) {
            Out.awaitGo(in);
        }
        long started = System.nanoTime();
        openAll(connections);
        long elapsed = System.nanoTime() - started;
        tokens = null;
        Out.print("ready", "connected", ready.get(), "failed", failed.get(),
                "elapsed_ms", TimeUnit.NANOSECONDS.toMillis(elapsed),
                "handshakes_per_s", Math.round(ready.get() / (elapsed / 1e9)), "cpu_s", Out.cpuSeconds());
        Histogram interval = null;
        long receivedTotal = 0;
        long duplicatesTotal = 0;
        for (String line; (line = in.readLine()) != null; ) {
            switch (line.trim()) {
                case "stats" -> {
                    interval = latency.getIntervalHistogram(interval);
                    accumulated.add(interval);
                    long got = received.getAndSet(0);
                    long dup = duplicates.getAndSet(0);
                    generation.incrementAndGet();
                    receivedTotal += got;
                    duplicatesTotal += dup;
                    printStats("stats", interval, got, dup);
                }
                case "reconnect" -> {
                    // Every connection dropped at once (no close handshake: as a network blip or a
                    // replica dying looks to the server), then all opened again.
                    long t0 = System.nanoTime();
                    synchronized (channels) {
                        channels.forEach(Channel::close);
                        channels.clear();
                    }
                    sessions.clear();
                    ready.set(0);
                    failed.set(0);
                    closedByServer.set(0);
                    openAll(connections);
                    Out.print("reconnected", "connected", ready.get(), "failed", failed.get(),
                            "elapsed_ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), "cpu_s", Out.cpuSeconds());
                }
                case "total" -> {
                    printStats("total", accumulated, receivedTotal, duplicatesTotal);
                    accumulated.reset();
                    receivedTotal = 0;
                    duplicatesTotal = 0;
                }
                case "stamps" -> {
                    var sb = new StringBuilder();
                    new java.util.TreeMap<>(stamps).forEach((stamp, st) -> {
                        synchronized (st) {
                            sb.append(sb.isEmpty() ? "" : ",").append(stamp).append(':').append(st.count)
                                    .append(':').append(st.maxUs);
                        }
                    });
                    stamps.clear();
                    Out.print("stamps", "stamps", sb.toString());
                }
                case "quit" -> {
                    quitting = true;
                    synchronized (channels) {
                        channels.forEach(Channel::close);
                    }
                    Out.print("bye");
                    return;
                }
                default -> Out.print("error", "unknown_command", line);
            }
        }
    }

    private void printStats(String event, Histogram h, long got, long dup) {
        Out.print(event, "received", got, "duplicates", dup, "count", h.getTotalCount(),
                "p50_us", h.getValueAtPercentile(50), "p90_us", h.getValueAtPercentile(90),
                "p99_us", h.getValueAtPercentile(99), "p999_us", h.getValueAtPercentile(99.9),
                "max_us", h.getMaxValue(), "min_us", h.getMinValue(),
                "open", ready.get() - closedByServer.get(), "closed_by_server", closedByServer.get(),
                "close_codes", String.join(",", closeCodes), "cpu_s", Out.cpuSeconds(),
                "presence_states", presenceStates.getAndSet(0), "presence_state_bytes", presenceStateBytes.getAndSet(0),
                "presence_state_max_bytes", presenceStateMaxBytes.getAndSet(0),
                "presence_diffs", presenceDiffs.getAndSet(0), "presence_diff_bytes", presenceDiffBytes.getAndSet(0),
                "presence_max_per_connection", maxPresencePerSession(), "other_frames", otherFrames.getAndSet(0));
    }

    /** The most presence frames one connection received since the last call (each then starts over). */
    private long maxPresencePerSession() {
        long max = 0;
        synchronized (sessions) {
            for (Session s : sessions) {
                max = Math.max(max, s.presenceFrames);
                s.presenceFrames = 0;
            }
        }
        return max;
    }

    /** Frames seen with one publisher stamp, and the slowest of them. */
    private static final class StampStat {
        long count;
        long maxUs;
    }

    private void openAll(int connections) throws InterruptedException {
        Semaphore inFlight = new Semaphore(args.integer("concurrency", 256));
        for (int i = 0; i < connections; i++) {
            inFlight.acquire();
            Session session = new Session(i, inFlight::release);
            sessions.add(session);
            Channel ch = connect(i, session);
            if (ch != null) {
                channels.add(ch);
            }
        }
        inFlight.acquire(args.integer("concurrency", 256)); // all handshakes settled
    }

    /** Open → greeting → close, repeatedly, for {@code seconds}. */
    private void churn() throws InterruptedException {
        int concurrency = args.integer("concurrency", 64);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(args.integer("seconds", 10));
        Semaphore inFlight = new Semaphore(concurrency);
        Out.print("started", "cpu_s", Out.cpuSeconds());
        long started = System.nanoTime();
        for (int i = 0; System.nanoTime() < deadline; i++) {
            if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                continue;
            }
            connect(i, new Session(i, inFlight::release, true));
        }
        inFlight.acquire(concurrency);
        double seconds = (System.nanoTime() - started) / 1e9;
        Histogram h = latency.getIntervalHistogram();
        Out.print("churn", "handshakes", ready.get(), "failed", failed.get(), "seconds", Math.round(seconds * 10) / 10.0,
                "handshakes_per_s", Math.round(ready.get() / seconds),
                "handshake_p50_us", h.getValueAtPercentile(50), "handshake_p99_us", h.getValueAtPercentile(99),
                "cpu_s", Out.cpuSeconds());
    }

    /** A steady stream of users joining and leaving {@code --topic}: see the class comment. */
    private void presenceChurn() throws InterruptedException {
        double rate = args.decimal("rate", 10);
        int holdMs = args.integer("hold-ms", 2000);
        long seconds = args.integer("seconds", 10);
        Out.print("started", "cpu_s", Out.cpuSeconds());
        long started = System.nanoTime();
        long end = started + TimeUnit.SECONDS.toNanos(seconds);
        int opened = 0;
        for (int k = 0; ; k++) {
            long due = started + (long) (k * 1e9 / rate);
            if (due >= end) {
                break;
            }
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            Channel ch = connect(k, new Session(k, () -> { }));
            if (ch != null) {
                ch.eventLoop().schedule(() -> {
                    ch.close();
                }, holdMs, TimeUnit.MILLISECONDS);
                opened++;
            }
        }
        TimeUnit.MILLISECONDS.sleep(holdMs + 500L);
        Out.print("churned", "opened", opened, "subscribed", ready.get(), "failed", failed.get(),
                "seconds", Math.round((System.nanoTime() - started) / 1e8) / 10.0, "cpu_s", Out.cpuSeconds());
    }

    private Channel connect(int index, Session session) {
        List<String> servers = args.list("servers");
        List<String> sources = args.list("sources");
        String server = servers.get(index % servers.size());
        String source = sources.get((index / servers.size()) % sources.size());
        int colon = server.lastIndexOf(':');
        String host = server.substring(0, colon);
        int port = Integer.parseInt(server.substring(colon + 1));
        if (sse) {
            return connectSse(host, port, source, session);
        }
        URI uri = URI.create("ws://" + server + "/ws?token=" + session.token());
        WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(uri).customHeaders(new DefaultHttpHeaders()).maxFramePayloadLength(1 << 20)
                .handleCloseFrames(false).dropPongFrames(true).absoluteUpgradeUrl(false).allowExtensions(deflate)
                .handshakeTimeoutMillis(30_000).build();
        Bootstrap b = new Bootstrap().group(group).channel(channelType)
                .option(ChannelOption.SO_REUSEADDR, true).option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(65536));
                        if (deflate) {
                            // Offers permessage-deflate and accepts the server's no-context-takeover answer.
                            ch.pipeline().addLast(new io.netty.handler.codec.http.websocketx.extensions.WebSocketClientExtensionHandler(
                                    new io.netty.handler.codec.http.websocketx.extensions.compression
                                            .PerMessageDeflateClientExtensionHandshaker(6, false, 15, true, false)));
                        }
                        ch.pipeline().addLast(new WebSocketClientProtocolHandler(config), session);
                    }
                });
        session.connectStarted = System.nanoTime();
        ChannelFuture f = b.connect(new InetSocketAddress(host, port), new InetSocketAddress(source, 0));
        f.addListener(done -> {
            if (!done.isSuccess()) {
                session.fail();
            }
        });
        return f.channel();
    }

    /** An SSE stream: the request goes out once connected; the topic, if any, is named at connect. */
    private Channel connectSse(String host, int port, String source, Session session) {
        String topic = args.string("topic", null);
        String target = "/sse?token=" + session.token() + (topic == null ? "" : "&topics=" + topic);
        Bootstrap b = new Bootstrap().group(group).channel(channelType)
                .option(ChannelOption.SO_REUSEADDR, true).option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), session);
                    }
                });
        session.connectStarted = System.nanoTime();
        ChannelFuture f = b.connect(new InetSocketAddress(host, port), new InetSocketAddress(source, 0));
        f.addListener(done -> {
            if (!done.isSuccess()) {
                session.fail();
                return;
            }
            var request = new io.netty.handler.codec.http.DefaultFullHttpRequest(
                    io.netty.handler.codec.http.HttpVersion.HTTP_1_1, io.netty.handler.codec.http.HttpMethod.GET, target);
            request.headers().set("Host", host + ":" + port).set("Accept", "text/event-stream");
            f.channel().writeAndFlush(request);
        });
        return f.channel();
    }

    /** One connection: counts the greeting, subscribes if asked, records event latency. */
    private final class Session extends SimpleChannelInboundHandler<Object> {
        private final int index;
        private final Runnable settled;
        private final boolean churn;
        private boolean greeted;
        private boolean released;
        long connectStarted;
        /** Presence frames this connection received since {@link #maxPresencePerSession} last looked. */
        volatile long presenceFrames;
        /** SSE: bytes of the stream not yet split into events (an event may span chunks). */
        private ByteBuf pending;
        /** Event ids ({@link #eventKey}) received in the current {@link #generation}; on this connection's event loop only. */
        private java.util.HashSet<Long> seen;
        private long seenGeneration;

        Session(int index, Runnable settled) {
            this(index, settled, false);
        }

        Session(int index, Runnable settled, boolean churn) {
            this.index = index;
            this.settled = settled;
            this.churn = churn;
        }

        @Override
        public boolean isSharable() {
            return false;
        }

        /** Users own 1..max connections each: connection i belongs to user userOf(i). */
        String token() {
            String[] minted = tokens;
            if (minted != null && index < minted.length && minted[index] != null) {
                return minted[index];
            }
            return Jwt.hs256(args.string("secret", null), userId(),
                    args.string("topic", null), args.integer("token-ttl-s", 3600), nameClaim ? "Bench " + userId() : null);
        }

        String userId() {
            return "u" + (args.integer("user-offset", 0) + userIndex(index, args.string("conns-per-user", "1")));
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof TextWebSocketFrame text) {
                onText(ctx, text.content());
            } else if (msg instanceof io.netty.handler.codec.http.HttpResponse response && sse) {
                if (response.status().code() != 200) {
                    fail();
                    ctx.close();
                }
            } else if (msg instanceof io.netty.handler.codec.http.HttpContent content && sse) {
                onSseBytes(ctx, content.content());
                if (msg instanceof io.netty.handler.codec.http.LastHttpContent && !quitting && !churn) {
                    closedByServer.incrementAndGet(); // the server ended the stream (its close event says why)
                    closeCodes.add("sse-end");
                }
            } else if (msg instanceof CloseWebSocketFrame close) {
                if (!quitting && !churn) {
                    closedByServer.incrementAndGet();
                    closeCodes.add(String.valueOf(close.statusCode()));
                }
                ctx.close();
            }
        }

        /** SSE: appends a chunk and hands every complete event's {@code data:} to {@link #onText}. */
        private void onSseBytes(ChannelHandlerContext ctx, ByteBuf chunk) {
            if (pending == null) {
                pending = io.netty.buffer.Unpooled.buffer(chunk.readableBytes());
            }
            pending.writeBytes(chunk);
            int end;
            while ((end = indexOf(pending, SSE_EVENT_END)) >= 0) {
                ByteBuf event = pending.slice(pending.readerIndex(), end - pending.readerIndex());
                int data = indexOf(event, SSE_DATA);
                if (data >= 0) {
                    onText(ctx, event.slice(data + SSE_DATA.length, event.writerIndex() - data - SSE_DATA.length));
                }
                pending.readerIndex(end + SSE_EVENT_END.length);
            }
            pending.discardReadBytes();
        }

        private void onText(ChannelHandlerContext ctx, ByteBuf buf) {
            if (!greeted) {
                onGreeting(ctx, buf);
                return;
            }
            long sent = sentMicros(buf);
            if (sent <= 0 && countPresence(buf)) {
                return;
            }
            if (sent > 0) {
                long us = Math.max(0, nowMicros() - sent);
                received.incrementAndGet();
                countDuplicate(eventKey(buf));
                latency.recordValue(us);
                if (trackStamps) {
                    StampStat st = stamps.computeIfAbsent(sent, k -> new StampStat());
                    synchronized (st) {
                        st.count++;
                        st.maxUs = Math.max(st.maxUs, us);
                    }
                }
            }
        }

        /** Counts a presence frame; false when {@code buf} is none (then it is counted as another frame). */
        private boolean countPresence(ByteBuf buf) {
            int bytes = buf.readableBytes();
            if (startsWith(buf, PRESENCE_DIFF)) {
                presenceDiffs.incrementAndGet();
                presenceDiffBytes.addAndGet(bytes);
            } else if (startsWith(buf, PRESENCE_STATE)) {
                presenceStates.incrementAndGet();
                presenceStateBytes.addAndGet(bytes);
                presenceStateMaxBytes.accumulateAndGet(bytes, Math::max);
            } else {
                otherFrames.incrementAndGet();
                return true;
            }
            presenceFrames++;
            return true;
        }

        private void countDuplicate(long key) {
            if (key < 0) {
                return;
            }
            long g = generation.get();
            if (seen == null || seenGeneration != g) {
                seen = new java.util.HashSet<>();
                seenGeneration = g;
            }
            if (!seen.add(key)) {
                duplicates.incrementAndGet();
            }
        }

        private void onGreeting(ChannelHandlerContext ctx, ByteBuf buf) {
            String s = buf.toString(StandardCharsets.UTF_8);
            if (!s.contains("\"connected\"") && !s.contains("\"subscribed\"")) {
                fail();
                ctx.close();
                return;
            }
            String topic = args.string("topic", null);
            if (topic != null && !sse && s.contains("\"connected\"")) {
                ctx.writeAndFlush(new TextWebSocketFrame("{\"action\":\"subscribe\",\"topic\":\"" + topic + "\""
                        + (presence ? ",\"presence\":true}" : "}")));
                return; // ready once "subscribed" arrives
            }
            greeted = true;
            ready.incrementAndGet();
            if (churn) {
                latency.recordValue(TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - connectStarted));
                ctx.writeAndFlush(new CloseWebSocketFrame(1000, "bye")).addListener(f -> ctx.close());
            }
            release();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!greeted) {
                fail();
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        void fail() {
            if (!released) {
                failed.incrementAndGet();
                release();
            }
        }

        private void release() {
            if (!released) {
                released = true;
                settled.run();
            }
        }
    }

    /**
     * Which user connection {@code i} belongs to: a fixed number per user, or {@code mixed}:
     * in every block of six connections, users with one, two and three connections.
     */
    static int userIndex(int i, String perUser) {
        if (!"mixed".equals(perUser)) {
            return i / Integer.parseInt(perUser);
        }
        int r = i % 6;
        return 3 * (i / 6) + (r == 0 ? 0 : r < 3 ? 1 : 2);
    }

    /** The publisher's stamp: digits after {@code "sent_us":}, or -1. No string is built. */
    static long sentMicros(ByteBuf buf) {
        int start = indexOf(buf, SENT_US);
        if (start < 0) {
            return -1;
        }
        long v = 0;
        for (int i = start + SENT_US.length; i < buf.writerIndex(); i++) {
            byte c = buf.getByte(i);
            if (c < '0' || c > '9') {
                break;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /**
     * The Publisher's CloudEvent id {@code ev-<pid>-<seq>} (the frame's {@code "id"}) as one number,
     * pid in the high bits; -1 when the frame has none. No string is built.
     */
    static long eventKey(ByteBuf buf) {
        int start = indexOf(buf, EVENT_ID);
        if (start < 0) {
            return -1;
        }
        long pid = 0;
        long seq = 0;
        boolean inSeq = false;
        for (int i = start + EVENT_ID.length; i < buf.writerIndex(); i++) {
            byte c = buf.getByte(i);
            if (c == '-' && !inSeq) {
                inSeq = true;
            } else if (c >= '0' && c <= '9') {
                if (inSeq) {
                    seq = seq * 10 + (c - '0');
                } else {
                    pid = pid * 10 + (c - '0');
                }
            } else {
                break;
            }
        }
        return inSeq ? (pid << 40) | seq : -1;
    }

    private static boolean startsWith(ByteBuf buf, byte[] prefix) {
        if (buf.readableBytes() < prefix.length) {
            return false;
        }
        for (int j = 0; j < prefix.length; j++) {
            if (buf.getByte(buf.readerIndex() + j) != prefix[j]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(ByteBuf buf, byte[] needle) {
        int end = buf.writerIndex() - needle.length;
        outer:
        for (int i = buf.readerIndex(); i <= end; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (buf.getByte(i + j) != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static long nowMicros() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }
}
