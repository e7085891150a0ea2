package dev.tasksync.config;

import dev.tasksync.auth.JwtDecoderFactory;
import dev.tasksync.auth.TokenVerifier;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.convert.converter.Converter;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.security.oauth2.server.resource.web.server.authentication.ServerBearerTokenAuthenticationConverter;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;
import org.springframework.security.web.server.util.matcher.AndServerWebExchangeMatcher;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatcher;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatchers;
import reactor.core.publisher.Mono;

/**
 * HTTP access rules. WebSocket handshakes pass through and are authenticated by the
 * handler (so failures become close code 4001); Dapr callbacks are guarded by the app API
 * token filter; {@code /stats} and Actuator endpoints other than health need the admin role;
 * everything not listed is denied. With a separate management port ({@code management.server.port},
 * as on Kubernetes) the Prometheus scrape on that port needs no token: the port is meant to be
 * reachable by the monitoring system only (the NetworkPolicy), and the scrape carries no user data.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebFluxSecurity
class SecurityConfig {

    static final String ADMIN = "TASKSYNC_ADMIN";

    @Bean
    ReactiveJwtDecoder jwtDecoder(AuthProperties props) {
        return JwtDecoderFactory.create(props);
    }

    @Bean
    TokenVerifier tokenVerifier(ReactiveJwtDecoder decoder, AuthProperties props) {
        return new TokenVerifier(decoder, props);
    }

    @Bean
    static ManagementPort managementPort() {
        return new ManagementPort();
    }

    @Bean
    SecurityWebFilterChain securityWebFilterChain(ServerHttpSecurity http, TokenVerifier verifier,
            WebSocketProperties ws, ManagementPort managementPort) {
        Converter<Jwt, Mono<AbstractAuthenticationToken>> admin = jwt -> Mono.just(new JwtAuthenticationToken(jwt,
                verifier.toPrincipal(jwt).admin() ? List.of(new SimpleGrantedAuthority(ADMIN)) : List.of()));
        var bearer = new ServerBearerTokenAuthenticationConverter();
        return http
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .logout(ServerHttpSecurity.LogoutSpec::disable)
                .requestCache(c -> c.requestCache(NoOpServerRequestCache.getInstance()))
                .securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
                .authorizeExchange(ex -> ex
                        .pathMatchers(HttpMethod.GET, ws.path()).permitAll()
                        .pathMatchers(HttpMethod.POST, DaprProperties.ROUTE).permitAll()
                        .pathMatchers(HttpMethod.GET, "/dapr/subscribe", "/dapr/config", "/healthz").permitAll()
                        .pathMatchers(HttpMethod.GET, "/health", "/actuator/health", "/actuator/health/**").permitAll()
                        // management.endpoint.health.probes.add-additional-paths: the probe groups on the main port
                        .pathMatchers(HttpMethod.GET, "/livez", "/readyz").permitAll()
                        .matchers(new AndServerWebExchangeMatcher(
                                ServerWebExchangeMatchers.pathMatchers(HttpMethod.GET, "/actuator/prometheus"),
                                exchange -> managementPort.received(exchange.getRequest())
                                        ? ServerWebExchangeMatcher.MatchResult.match()
                                        : ServerWebExchangeMatcher.MatchResult.notMatch())).permitAll()
                        .pathMatchers(HttpMethod.GET, "/", "/index.html", "/assets/**", "/favicon.ico").permitAll()
                        .pathMatchers("/dev/**").permitAll() // only mapped when tasksync.dev.enabled=true
                        .pathMatchers("/stats", "/actuator/**").hasAuthority(ADMIN)
                        .anyExchange().denyAll())
                .oauth2ResourceServer(rs -> rs
                        // The handshake's token is the handler's business: a bad one must close with 4001, not 401.
                        .bearerTokenConverter(exchange -> exchange.getRequest().getPath().value().equals(ws.path())
                                ? Mono.empty() : bearer.convert(exchange))
                        .jwt(jwt -> jwt.jwtAuthenticationConverter(admin)))
                .build();
    }
}
