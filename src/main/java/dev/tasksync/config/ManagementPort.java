package dev.tasksync.config;

import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * The port of the separate management server ({@code management.server.port}), once it listens;
 * -1 while it does not, and always when Actuator shares the main port. Lets the security rules
 * tell a scrape on the management port (reachable only as the NetworkPolicy allows) from a request
 * on the public port.
 */
final class ManagementPort implements ApplicationListener<WebServerInitializedEvent> {

    private static final String NAMESPACE = "management";

    private volatile int port = -1;

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        if (NAMESPACE.equals(event.getApplicationContext().getServerNamespace())) {
            port = event.getWebServer().getPort();
        }
    }

    /** Whether the request arrived on the separate management server. */
    boolean received(ServerHttpRequest request) {
        int p = port;
        return p > 0 && request.getLocalAddress() != null && request.getLocalAddress().getPort() == p;
    }
}
