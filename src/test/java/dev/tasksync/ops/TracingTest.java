package dev.tasksync.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.tasksync.support.TasksyncInstance;
import dev.tasksync.support.Tokens;
import dev.tasksync.support.WsClient;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fan-out span against a real OTLP/HTTP receiver (protobuf, decoded with the OTLP schema):
 * it continues the CloudEvent's {@code traceparent}, falls back to daprd's header, and nothing is
 * traced or exported with the default configuration.
 */
class TracingTest {

    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PARENT_ID = "00f067aa0ba902b7";
    private static final String HEADER_TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
    private static final String HEADER_PARENT_ID = "b7ad6b7169203331";

    private HttpServer receiver;
    private final BlockingQueue<Span> spans = new LinkedBlockingQueue<>();
    private final AtomicInteger exports = new AtomicInteger();

    @BeforeEach
    void startReceiver() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/v1/traces", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            exports.incrementAndGet();
            ExportTraceServiceRequest.parseFrom(body).getResourceSpansList().forEach(rs ->
                    rs.getScopeSpansList().forEach(ss -> spans.addAll(ss.getSpansList())));
            byte[] reply = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, reply.length);
            exchange.getResponseBody().write(reply);
            exchange.close();
        });
        receiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    private String endpoint() {
        return "--management.opentelemetry.tracing.export.otlp.endpoint=http://127.0.0.1:"
                + receiver.getAddress().getPort() + "/v1/traces";
    }

    private TasksyncInstance tracingOn() {
        return TasksyncInstance.start(Tokens.SECRET, "--management.opentelemetry.enabled=true", endpoint(),
                "--management.opentelemetry.tracing.export.schedule-delay=100ms");
    }

    @Test
    void fanoutSpanContinuesTheCloudEventTraceparent() throws Exception {
        try (var app = tracingOn(); var ws = WsClient.connectAs(portOf(app), "traced-user")) {
            String envelope = "00-" + TRACE_ID + "-" + PARENT_ID + "-01";
            // daprd's own context in the header loses to the producer's in the envelope.
            post(app, event("traced-user", ",\"traceparent\":\"" + envelope + "\",\"tracestate\":\"vendor=1\""),
                    Map.of("traceparent", "00-" + HEADER_TRACE_ID + "-" + HEADER_PARENT_ID + "-01"));
            assertThat(ws.next().path("type").asString()).isEqualTo("task_update");

            Span span = awaitFanoutSpan(TRACE_ID);
            assertThat(hex(span.getParentSpanId().toByteArray())).isEqualTo(PARENT_ID);
            assertThat(span.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CONSUMER);
            assertThat(span.getTraceState()).isEqualTo("vendor=1");
            Map<String, String> attributes = attributes(span);
            assertThat(attributes).containsEntry("tasksync.event.kind", "task")
                    .containsEntry("tasksync.event.type", "task.created")
                    .containsEntry("tasksync.recipients", "1")
                    .containsEntry("tasksync.duplicate", "false")
                    .containsKey("cloudevents.event_id");
            assertThat(attributes.values()).as("no user ids on spans").doesNotContain("traced-user");
        }
    }

    @Test
    void withoutAnEnvelopeTraceparentTheHeaderIsTheParent() throws Exception {
        try (var app = tracingOn()) {
            post(app, event("nobody-connected", ""),
                    Map.of("traceparent", "00-" + HEADER_TRACE_ID + "-" + HEADER_PARENT_ID + "-01"));
            Span span = awaitFanoutSpan(HEADER_TRACE_ID);
            assertThat(hex(span.getParentSpanId().toByteArray())).isEqualTo(HEADER_PARENT_ID);
            assertThat(attributes(span)).containsEntry("tasksync.recipients", "0");
        }
    }

    @Test
    void offByDefaultNothingIsTracedOrExported() throws Exception {
        // Only the receiver's address is configured: tracing itself stays at its default.
        try (var app = TasksyncInstance.start(Tokens.SECRET, endpoint(),
                "--management.opentelemetry.tracing.export.schedule-delay=100ms",
                "--management.tracing.sampling.probability=1.0")) {
            assertThat(app.bean(FanoutTracing.class).enabled()).isFalse();
            assertThat(app.context().getBeanProvider(SdkTracerProvider.class).getIfAvailable())
                    .as("OpenTelemetry SDK tracer provider").isNull();
            try (var ws = WsClient.connectAs(portOf(app), "untraced-user")) {
                post(app, event("untraced-user", ",\"traceparent\":\"00-" + TRACE_ID + "-" + PARENT_ID + "-01\""),
                        Map.of("traceparent", "00-" + HEADER_TRACE_ID + "-" + HEADER_PARENT_ID + "-01"));
                assertThat(ws.next().path("type").asString()).isEqualTo("task_update");
            }
            Thread.sleep(1500); // 15 export intervals
            assertThat(exports.get()).as("OTLP export requests").isZero();
        }
    }

    private static int portOf(TasksyncInstance app) {
        return app.port();
    }

    private static String event(String user, String extraAttributes) {
        return "{\"specversion\":\"1.0\",\"id\":\"" + UUID.randomUUID() + "\",\"source\":\"s\",\"type\":\"t\""
                + extraAttributes + ",\"data\":{\"event_type\":\"task.created\",\"user_id\":\"" + user
                + "\",\"task\":{\"id\":1}}}";
    }

    private static void post(TasksyncInstance app, String body, Map<String, String> headers) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/task-updates"))
                .header("Content-Type", "application/cloudevents+json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        headers.forEach(request::header);
        HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.body()).contains("SUCCESS");
    }

    private Span awaitFanoutSpan(String traceId) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        List<String> seen = new java.util.ArrayList<>();
        while (System.nanoTime() < deadline) {
            Span s = spans.poll(200, TimeUnit.MILLISECONDS);
            if (s == null) {
                continue;
            }
            seen.add(s.getName() + "@" + hex(s.getTraceId().toByteArray()));
            if (s.getName().equals(FanoutTracing.SPAN_NAME) && hex(s.getTraceId().toByteArray()).equals(traceId)) {
                return s;
            }
        }
        throw new AssertionError("no " + FanoutTracing.SPAN_NAME + " span in trace " + traceId + "; received " + seen);
    }

    private static Map<String, String> attributes(Span span) {
        return span.getAttributesList().stream().collect(Collectors.toMap(KeyValue::getKey, kv -> {
            var v = kv.getValue();
            return switch (v.getValueCase()) {
                case STRING_VALUE -> v.getStringValue();
                case INT_VALUE -> Long.toString(v.getIntValue());
                case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
                case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
                default -> v.toString();
            };
        }));
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
