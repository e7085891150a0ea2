package dev.tasksync.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A Server-Sent Events client over the JDK's HTTP client (HTTP/1.1, or HTTP/2 when asked), parsing
 * the stream as the HTML standard says a browser does: {@code id:}, {@code event:}, {@code data:}
 * and {@code retry:} fields, dispatched at a blank line; comment lines are counted.
 */
public final class SseClient implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Event END = new Event(null, "<end of stream>", "", null);
    // One client per HTTP version, as a browser has: its connections are pooled, its threads shared.
    private static final Map<HttpClient.Version, HttpClient> CLIENTS = new java.util.concurrent.ConcurrentHashMap<>();

    /** One dispatched event; {@code id} is the field of this event block (null when it had none). */
    public record Event(String id, String event, String data, Long retry) {
        public JsonNode json() {
            return JSON.readTree(data);
        }
    }

    private final HttpResponse<Stream<String>> response;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final AtomicInteger comments = new AtomicInteger();
    private final Thread reader;

    private SseClient(HttpResponse<Stream<String>> response) {
        this.response = response;
        this.reader = new Thread(this::read, "sse-client");
        reader.setDaemon(true);
        reader.start();
    }

    /** {@code GET /sse?query} on {@code port} over HTTP/1.1 with {@code headers}; returns once the response headers arrived. */
    public static SseClient connect(int port, String query, Map<String, String> headers) {
        return connect(port, query, headers, HttpClient.Version.HTTP_1_1);
    }

    public static SseClient connect(int port, String query, Map<String, String> headers, HttpClient.Version version) {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/sse?" + query))
                .header("Accept", "text/event-stream").timeout(Duration.ofSeconds(10));
        headers.forEach(request::header);
        try {
            var client = CLIENTS.computeIfAbsent(version, v -> HttpClient.newBuilder().version(v).build());
            return new SseClient(client.send(request.GET().build(), HttpResponse.BodyHandlers.ofLines()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public int status() {
        return response.statusCode();
    }

    public HttpClient.Version version() {
        return response.version();
    }

    public String header(String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    /** The next event within 5 s; fails on timeout or at the end of the stream. */
    public Event next() {
        return next(Duration.ofSeconds(5));
    }

    public Event next(Duration timeout) {
        Event e = poll(timeout);
        if (e == null) {
            throw new AssertionError("no SSE event within " + timeout);
        }
        if (e == END) {
            events.add(END);
            throw new AssertionError("the SSE stream ended");
        }
        return e;
    }

    /** The next event within {@code timeout}, null when none came; the end of the stream is {@link #ended}. */
    public Event poll(Duration timeout) {
        try {
            return events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Whether the server ended the stream within {@code timeout}, after any events still queued. */
    public boolean endsWithin(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Event e;
        while ((e = poll(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) != null) {
            if (e == END) {
                return true;
            }
        }
        return false;
    }

    public static boolean ended(Event e) {
        return e == END;
    }

    /** Comment lines (keep-alives) received so far. */
    public int comments() {
        return comments.get();
    }

    private void read() {
        String id = null;
        String event = null;
        Long retry = null;
        var data = new StringBuilder();
        boolean hasData = false;
        try (Stream<String> lines = response.body()) {
            var it = lines.iterator();
            while (it.hasNext()) {
                String line = it.next();
                if (line.isEmpty()) {
                    if (hasData || event != null || id != null || retry != null) {
                        events.add(new Event(id, event == null ? "message" : event, data.toString(), retry));
                    }
                    id = null;
                    event = null;
                    retry = null;
                    data.setLength(0);
                    hasData = false;
                } else if (line.startsWith(":")) {
                    comments.incrementAndGet();
                } else {
                    int colon = line.indexOf(':');
                    String field = colon < 0 ? line : line.substring(0, colon);
                    String value = colon < 0 ? "" : line.substring(colon + 1);
                    if (value.startsWith(" ")) {
                        value = value.substring(1);
                    }
                    switch (field) {
                        case "id" -> id = value;
                        case "event" -> event = value;
                        case "retry" -> retry = Long.parseLong(value);
                        case "data" -> {
                            if (hasData) {
                                data.append('\n');
                            }
                            data.append(value);
                            hasData = true;
                        }
                        default -> { }
                    }
                }
            }
        } catch (RuntimeException e) {
            // The connection went away (closed by either side): the end of the stream.
        }
        events.add(END);
    }

    @Override
    public void close() {
        reader.interrupt();
        try {
            response.body().close();
        } catch (RuntimeException ignored) {
            // already closed
        }
    }
}
