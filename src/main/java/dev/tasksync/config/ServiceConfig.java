package dev.tasksync.config;

import dev.tasksync.auth.TokenVerifier;
import dev.tasksync.fanout.EventLog;
import dev.tasksync.fanout.Hub;
import dev.tasksync.ingress.CloudEventReader;
import dev.tasksync.ingress.DaprApiTokenFilter;
import dev.tasksync.ingress.DaprIntake;
import dev.tasksync.ingress.DaprRoute;
import dev.tasksync.ingress.EventDispatcher;
import dev.tasksync.ops.FanoutTracing;
import dev.tasksync.ops.TasksyncMetrics;
import dev.tasksync.ops.Warmup;
import dev.tasksync.ops.WarmupProperties;
import dev.tasksync.presence.Presence;
import dev.tasksync.session.ConnectionDrainer;
import dev.tasksync.session.Connector;
import dev.tasksync.session.Heartbeat;
import dev.tasksync.signal.Signals;
import dev.tasksync.sse.SseProperties;
import dev.tasksync.sse.SseRoute;
import dev.tasksync.wire.ClientMessageParser;
import dev.tasksync.wire.ServerMessages;
import dev.tasksync.ws.CompressionProperties;
import dev.tasksync.ws.SyncWebSocketHandler;
import dev.tasksync.ws.WebSocketRoute;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/** Wires the capabilities together; behaviour lives in the plain classes it creates. */
@Configuration(proxyBeanMethods = false)
class ServiceConfig {

    private static final Logger log = LoggerFactory.getLogger(ServiceConfig.class);

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    Hub hub() {
        return new Hub();
    }

    @Bean
    EventLog eventLog(Hub hub, Clock clock, HistoryProperties history) {
        return new EventLog(hub, clock, history.perStream(), history.maxAge(), history.idWindow());
    }

    @Bean
    TasksyncMetrics tasksyncMetrics(MeterRegistry registry, Hub hub, Clock clock) {
        return new TasksyncMetrics(registry, hub, clock);
    }

    @Bean
    ServerMessages serverMessages(JsonMapper json) {
        return new ServerMessages(json);
    }

    @Bean
    CloudEventReader cloudEventReader(JsonMapper json, Clock clock) {
        return new CloudEventReader(json, clock);
    }

    @Bean
    EventDispatcher eventDispatcher(EventLog log, ServerMessages messages, TasksyncMetrics metrics,
            FanoutTracing tracing) {
        return new EventDispatcher(log, messages, metrics, tracing);
    }

    /**
     * With OpenTelemetry off (the default) Boot still bridges a tracer, over a no-op API: only the
     * SDK's tracer provider, present when it is on, means spans are recorded and exported.
     */
    @Bean
    FanoutTracing fanoutTracing(ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator,
            ObjectProvider<SdkTracerProvider> sdk) {
        return new FanoutTracing(tracer.getIfAvailable(() -> Tracer.NOOP),
                propagator.getIfAvailable(() -> Propagator.NOOP), sdk.getIfAvailable() != null);
    }

    @Bean
    DaprApiTokenFilter daprApiTokenFilter(DaprProperties dapr) {
        if (!dapr.hasAppApiToken()) {
            log.warn("APP_API_TOKEN is not set: the Dapr route accepts deliveries from any caller that can reach it");
        }
        return new DaprApiTokenFilter(dapr.appApiToken(), DaprProperties.ROUTE);
    }

    @Bean
    DaprRoute daprRoute(DaprIntake intake, DaprProperties dapr) {
        return new DaprRoute(intake, DaprProperties.ROUTE, dapr.appApiToken(), DaprIntake.maxBodyBytes(dapr));
    }

    @Bean
    Warmup warmup(WarmupProperties props, AuthProperties auth, DaprProperties dapr, WebSocketProperties ws) {
        return new Warmup(props, auth, dapr, ws.path());
    }

    @Bean
    ConnectionDrainer connectionDrainer(Hub hub, ApplicationEventPublisher events, WebSocketProperties ws) {
        return new ConnectionDrainer(hub, events, ws.drainTimeout());
    }

    @Bean
    Connector connector(TokenVerifier verifier, Hub hub, EventLog log, ServerMessages messages, TasksyncMetrics metrics,
            ConnectionDrainer drainer, WebSocketProperties ws, Clock clock, Presence presence) {
        return new Connector(verifier, hub, log, messages, metrics, drainer, ws, clock, presence);
    }

    @Bean
    SyncWebSocketHandler syncWebSocketHandler(Connector connector, TokenVerifier verifier, Hub hub, EventLog log,
            ServerMessages messages, JsonMapper json, TasksyncMetrics metrics, WebSocketProperties ws,
            CompressionProperties compression, Presence presence, Signals signals) {
        return new SyncWebSocketHandler(connector, verifier, hub, log, messages, new ClientMessageParser(json), metrics,
                ws, compression, presence, signals);
    }

    @Bean
    Heartbeat heartbeat(Hub hub, Clock clock) {
        return new Heartbeat(hub, clock);
    }

    @Bean
    HeaderTimeout headerTimeout(HttpServerProperties http) {
        return new HeaderTimeout(http.headerTimeout());
    }

    @Bean
    WebSocketRoute webSocketRoute(SyncWebSocketHandler handler, WebSocketProperties ws) {
        return new WebSocketRoute(handler, ws.path(), (int) ws.maxFrameSize().toBytes());
    }

    @Bean
    SseRoute sseRoute(Connector connector, ServerMessages messages, TasksyncMetrics metrics, SseProperties sse,
            WebSocketProperties ws) {
        return new SseRoute(connector, messages, metrics, sse, ws);
    }
}
