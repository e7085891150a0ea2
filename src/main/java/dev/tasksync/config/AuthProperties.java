package dev.tasksync.config;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How tokens are verified. Exactly one key source is required: an HS256 shared secret
 * ({@code BETTER_AUTH_SECRET}), a JWK Set URI, or an OIDC issuer URI. There is no default
 * secret: a service that would accept tokens signed with a well-known key must not start.
 *
 * @param secret HS256 shared secret (at least 32 bytes)
 * @param jwkSetUri JWK Set endpoint for asymmetric keys (RS256, ES256, ...)
 * @param issuerUri OIDC issuer whose discovery document names the JWK Set
 * @param jwsAlgorithms algorithms accepted from the JWK Set
 * @param issuer required {@code iss} claim, when set
 * @param audiences accepted {@code aud} values, when set (the token must carry one of them)
 * @param clockSkew tolerance for {@code exp} and {@code nbf}
 * @param topicsClaim claim listing the shared topics a user may subscribe to
 * @param rolesClaim claim listing the user's roles
 * @param adminRole role (in {@code rolesClaim}) or scope (in {@code scope}) that may read /stats
 * @param maxTokenLength longer tokens are rejected before any parsing
 * @param infoClaims string claims shown to others as the user's presence {@code info}
 */
@Validated
@ConfigurationProperties("tasksync.auth")
public record AuthProperties(
        String secret,
        String jwkSetUri,
        String issuerUri,
        @DefaultValue({"RS256", "ES256"}) List<String> jwsAlgorithms,
        String issuer,
        @DefaultValue List<String> audiences,
        @DefaultValue("30s") @NotNull Duration clockSkew,
        @DefaultValue("topics") @NotBlank String topicsClaim,
        @DefaultValue("roles") @NotBlank String rolesClaim,
        @DefaultValue("admin") @NotBlank String adminRole,
        @DefaultValue("8192") int maxTokenLength,
        @DefaultValue("name") List<String> infoClaims) {

    /** Minimum HS256 key size (RFC 7518 section 3.2). */
    public static final int MIN_SECRET_BYTES = 32;

    public boolean hasSecret() {
        return secret != null && !secret.isBlank();
    }

    public boolean hasJwks() {
        return (jwkSetUri != null && !jwkSetUri.isBlank()) || (issuerUri != null && !issuerUri.isBlank());
    }

    @AssertTrue(message = "no token key configured: set BETTER_AUTH_SECRET (HS256 shared secret, at least 32 bytes) "
            + "or tasksync.auth.jwk-set-uri / tasksync.auth.issuer-uri")
    public boolean isKeySourceConfigured() {
        return hasSecret() || hasJwks();
    }

    @AssertTrue(message = "BETTER_AUTH_SECRET is too short: HS256 needs at least 32 bytes")
    public boolean isSecretLongEnough() {
        return !hasSecret() || secret.getBytes(StandardCharsets.UTF_8).length >= MIN_SECRET_BYTES;
    }

    @Override
    public String toString() {
        // Never print the secret, e.g. in a failure analysis or a debug log of the bound properties.
        return "AuthProperties[secret=" + (hasSecret() ? "***" : "<unset>") + ", jwkSetUri=" + jwkSetUri
                + ", issuerUri=" + issuerUri + ", issuer=" + issuer + ", audiences=" + audiences + "]";
    }
}
