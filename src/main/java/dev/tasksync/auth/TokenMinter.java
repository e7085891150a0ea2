package dev.tasksync.auth;

import dev.tasksync.config.AuthProperties;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;

/**
 * Mints HS256 tokens this service accepts (issuer and audience as configured), for its own use:
 * the dev endpoint and the start-up warm-up. Only with a shared secret: with a JWK Set the
 * service holds no signing key.
 */
public final class TokenMinter {

    private final AuthProperties auth;
    private final JwtEncoder encoder;

    /** {@code auth} must have a secret ({@link AuthProperties#hasSecret()}). */
    public TokenMinter(AuthProperties auth) {
        this.auth = auth;
        var key = new SecretKeySpec(auth.secret().getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        this.encoder = NimbusJwtEncoder.withSecretKey(key).algorithm(MacAlgorithm.HS256).build();
    }

    /** A token for {@code userId}, valid from {@code now} for {@code ttl}, granting {@code topics}. */
    public String mint(String userId, Instant now, Duration ttl, List<String> topics, boolean admin) {
        JwtClaimsSet.Builder claims = JwtClaimsSet.builder().subject(userId).issuedAt(now).expiresAt(now.plus(ttl));
        if (!topics.isEmpty()) {
            claims.claim(auth.topicsClaim(), topics);
        }
        if (admin) {
            claims.claim(auth.rolesClaim(), List.of(auth.adminRole()));
        }
        if (auth.issuer() != null && !auth.issuer().isBlank()) {
            claims.issuer(auth.issuer());
        }
        if (!auth.audiences().isEmpty()) {
            claims.audience(auth.audiences());
        }
        return encoder.encode(JwtEncoderParameters.from(JwsHeader.with(MacAlgorithm.HS256).build(), claims.build()))
                .getTokenValue();
    }
}
