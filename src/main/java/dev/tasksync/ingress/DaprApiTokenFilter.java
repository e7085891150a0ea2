package dev.tasksync.ingress;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * With an app API token configured, only the Dapr sidecar (which sends it as
 * {@code dapr-api-token}) may call the Dapr callback paths WebFlux serves ({@code /dapr/*},
 * {@code /actors/*}, {@code /healthz}): nobody else can read or change the subscription. The
 * delivery route itself is checked the same way by {@link DaprRoute}, ahead of WebFlux; the
 * route stays listed here in case it is ever served through WebFlux again. Compared in constant time.
 */
public final class DaprApiTokenFilter implements WebFilter, Ordered {

    public static final String HEADER = "dapr-api-token";
    private static final byte[] BODY = "{\"error\":\"Unauthorized\",\"details\":\"missing or wrong dapr-api-token\"}"
            .getBytes(StandardCharsets.US_ASCII);

    private final byte[] expected;
    private final String route;

    /** A null or empty {@code token} disables the check (local development without a sidecar token). */
    public DaprApiTokenFilter(String token, String route) {
        this.expected = token == null || token.isEmpty() ? null : token.getBytes(StandardCharsets.UTF_8);
        this.route = route;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        if (expected == null || !isDaprCallback(path)) {
            return chain.filter(exchange);
        }
        String given = exchange.getRequest().getHeaders().getFirst(HEADER);
        if (given != null && MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8))) {
            return chain.filter(exchange);
        }
        var response = exchange.getResponse();
        response.setStatusCode(HttpStatus.UNAUTHORIZED);
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(BODY)));
    }

    private boolean isDaprCallback(String path) {
        return path.equals(route) || path.startsWith("/dapr/") || path.startsWith("/actors/") || path.equals("/healthz");
    }

    @Override
    public int getOrder() {
        // Before Spring Security's chain (-100): a forged delivery is refused before anything else runs.
        return Ordered.HIGHEST_PRECEDENCE + 10;
    }
}
