package dev.tasksync.auth;

import com.nimbusds.jose.proc.BadJOSEException;
import dev.tasksync.auth.InvalidTokenException.Reason;
import dev.tasksync.config.AuthProperties;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import reactor.core.publisher.Mono;

/** Turns a bearer token into a {@link UserPrincipal}, or fails with an {@link InvalidTokenException}. */
public final class TokenVerifier {

    private final ReactiveJwtDecoder decoder;
    private final AuthProperties props;

    public TokenVerifier(ReactiveJwtDecoder decoder, AuthProperties props) {
        this.decoder = decoder;
        this.props = props;
    }

    /** Verifies signature, algorithm, exp, nbf and (when configured) iss and aud. */
    public Mono<UserPrincipal> verify(String token) {
        if (token == null || token.isBlank()) {
            return Mono.error(new InvalidTokenException(Reason.MISSING, "no token"));
        }
        if (token.length() > props.maxTokenLength()) {
            return Mono.error(new InvalidTokenException(Reason.TOO_LONG, "token longer than " + props.maxTokenLength()));
        }
        return decoder.decode(token)
                .map(this::toPrincipal)
                .onErrorMap(JwtException.class, TokenVerifier::classify);
    }

    /** Maps verified claims to the principal; shared with the HTTP admin chain. */
    public UserPrincipal toPrincipal(Jwt jwt) {
        Set<String> roles = stringSet(jwt.getClaim(props.rolesClaim()));
        Set<String> scopes = scopes(jwt.getClaim("scope"), jwt.getClaim("scp"));
        boolean admin = roles.contains(props.adminRole()) || scopes.contains(props.adminRole())
                || scopes.contains("tasksync:" + props.adminRole());
        return new UserPrincipal(jwt.getSubject(), stringSet(jwt.getClaim(props.topicsClaim())), admin,
                jwt.getExpiresAt(), info(jwt));
    }

    /** The configured info claims that are strings, each cut to {@link #MAX_INFO_LENGTH} characters. */
    private Map<String, String> info(Jwt jwt) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String claim : props.infoClaims()) {
            if (jwt.getClaim(claim) instanceof String s && !s.isBlank()) {
                out.put(claim, s.length() > MAX_INFO_LENGTH ? s.substring(0, MAX_INFO_LENGTH) : s);
            }
        }
        return out;
    }

    /** Longest info claim value kept: presence messages stay small whatever a token carries. */
    static final int MAX_INFO_LENGTH = 100;

    private static InvalidTokenException classify(JwtException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (e instanceof JwtValidationException) {
            if (message.contains("expired")) {
                return new InvalidTokenException(Reason.EXPIRED, "token expired");
            }
            if (message.contains("before")) {
                return new InvalidTokenException(Reason.NOT_YET_VALID, "token not yet valid");
            }
            return new InvalidTokenException(Reason.CLAIMS, "token claims rejected");
        }
        if (message.contains("algorithm of none")) {
            return new InvalidTokenException(Reason.MALFORMED, "unsigned token");
        }
        // Nimbus reports a bad signature, an unexpected algorithm or an unknown key as BadJOSEException;
        // "Unsupported algorithm" is an HS256 token shown to a JWK Set decoder (key confusion).
        if (message.startsWith("Unsupported algorithm") || rootCause(e) instanceof BadJOSEException) {
            return new InvalidTokenException(Reason.BAD_SIGNATURE, "token signature or algorithm rejected");
        }
        // Parse failures and unsigned (alg none) tokens land here; the decoder's message may quote the token.
        return new InvalidTokenException(Reason.MALFORMED, "token malformed or not signed as required");
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    private static Set<String> scopes(Object scope, Object scp) {
        Set<String> out = new LinkedHashSet<>();
        for (Object claim : new Object[] {scope, scp}) {
            if (claim instanceof String s) {
                for (String part : s.trim().split("\\s+")) {
                    if (!part.isEmpty()) {
                        out.add(part);
                    }
                }
            } else {
                out.addAll(stringSet(claim));
            }
        }
        return out;
    }

    private static Set<String> stringSet(Object claim) {
        Set<String> out = new LinkedHashSet<>();
        if (claim instanceof Collection<?> values) {
            for (Object v : values) {
                if (v instanceof String s && !s.isBlank()) {
                    out.add(s);
                }
            }
        } else if (claim instanceof String s && !s.isBlank()) {
            out.add(s);
        }
        return out;
    }
}
