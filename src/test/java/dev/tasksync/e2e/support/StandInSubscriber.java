package dev.tasksync.e2e.support;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Minimal Dapr subscriber app used only to prove the harness: the same subscription and
 * status contract as tasksync, none of its logic. Answers DROP for data with "malformed": true.
 */
final class StandInSubscriber implements AutoCloseable {

    static final String SUBSCRIPTIONS = "[{\"pubsubname\":\"taskpubsub\",\"topic\":\"task-updates\","
            + "\"route\":\"/task-updates\",\"deadLetterTopic\":\"task-updates-dlq\"}]";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final List<JsonNode> received = new CopyOnWriteArrayList<>();

    private StandInSubscriber(HttpServer server) {
        this.server = server;
        server.createContext("/dapr/subscribe", exchange -> reply(exchange, 200, SUBSCRIPTIONS));
        server.createContext("/task-updates", this::onEvent);
        server.setExecutor(executor);
        server.start();
    }

    static StandInSubscriber start() throws IOException {
        return new StandInSubscriber(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0));
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** CloudEvents delivered so far, in arrival order. */
    List<JsonNode> received() {
        return List.copyOf(received);
    }

    /** Polls until a delivered CloudEvent matches, or fails after the timeout. */
    JsonNode awaitEvent(Predicate<JsonNode> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode event : received) {
                if (match.test(event)) {
                    return event;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no matching event within " + timeout + "; received: " + received);
    }

    private void onEvent(HttpExchange exchange) throws IOException {
        if (!"POST".equals(exchange.getRequestMethod())) {
            reply(exchange, 405, "");
            return;
        }
        JsonNode event = JSON.readTree(exchange.getRequestBody());
        received.add(event);
        boolean malformed = event.path("data").path("malformed").asBoolean(false);
        reply(exchange, 200, malformed ? "{\"status\":\"DROP\"}" : "{\"status\":\"SUCCESS\"}");
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
