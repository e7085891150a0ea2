package dev.tasksync.ops;

import dev.tasksync.config.WebSocketProperties;
import io.micrometer.observation.ObservationPredicate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;

/**
 * No HTTP request observation for the WebSocket endpoint. The upgrade request's observation
 * would stay open for the whole life of the socket (hours), holding its context, timer
 * samples and key values per connection (about 2 KiB each, measured with the idle
 * benchmark), while an "HTTP request duration" of a WebSocket means nothing. Connections
 * are measured by {@link TasksyncMetrics} instead.
 */
@Configuration(proxyBeanMethods = false)
class WebSocketObservations {

    @Bean
    ObservationPredicate noHttpObservationForWebSockets(WebSocketProperties ws) {
        String path = ws.path();
        return (name, context) -> !(context instanceof ServerRequestObservationContext request
                && path.equals(request.getCarrier().getPath().value()));
    }
}
