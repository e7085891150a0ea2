package dev.tasksync.auth;

import dev.tasksync.config.AuthProperties;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoders;

/**
 * Builds the one JWT decoder every entry point shares (WebSocket handshake and admin HTTP).
 * A JWK Set, when configured, wins over the shared secret, so a deployment that moved to
 * asymmetric keys cannot be fooled by an HS256 token signed with a leaked dev secret or
 * with the public key itself (key confusion): the decoder only accepts the configured
 * asymmetric algorithms.
 */
public final class JwtDecoderFactory {

    private JwtDecoderFactory() {
    }

    public static ReactiveJwtDecoder create(AuthProperties props) {
        NimbusReactiveJwtDecoder decoder;
        if (props.hasJwks()) {
            decoder = jwksDecoder(props);
        } else {
            var key = new SecretKeySpec(props.secret().getBytes(StandardCharsets.UTF_8), "HmacSHA256");
            decoder = NimbusReactiveJwtDecoder.withSecretKey(key).macAlgorithm(MacAlgorithm.HS256).build();
        }
        decoder.setJwtValidator(validator(props));
        return decoder;
    }

    private static NimbusReactiveJwtDecoder jwksDecoder(AuthProperties props) {
        String jwkSetUri = props.jwkSetUri();
        if (jwkSetUri == null || jwkSetUri.isBlank()) {
            // Discovery happens here, once, at start-up: a wrong issuer fails fast.
            var discovered = ReactiveJwtDecoders.fromIssuerLocation(props.issuerUri());
            if (!(discovered instanceof NimbusReactiveJwtDecoder nimbus)) {
                throw new IllegalStateException("unexpected decoder from issuer discovery: " + discovered);
            }
            return nimbus;
        }
        return NimbusReactiveJwtDecoder.withJwkSetUri(jwkSetUri)
                .jwsAlgorithms(algs -> props.jwsAlgorithms().forEach(a -> algs.add(SignatureAlgorithm.from(a))))
                .build();
    }

    static OAuth2TokenValidator<Jwt> validator(AuthProperties props) {
        List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>();
        validators.add(new JwtTimestampValidator(props.clockSkew()));
        // JwtTimestampValidator tolerates a missing exp; a session token without an end is not acceptable.
        validators.add(new JwtClaimValidator<Object>(JwtClaimNames.EXP, exp -> exp != null));
        validators.add(new JwtClaimValidator<Object>(JwtClaimNames.SUB,
                sub -> sub instanceof String s && !s.isBlank()));
        // With OIDC discovery the issuer is known: tokens from any other issuer are refused.
        String issuer = props.issuer() != null && !props.issuer().isBlank() ? props.issuer() : props.issuerUri();
        if (issuer != null && !issuer.isBlank()) {
            validators.add(new JwtIssuerValidator(issuer));
        }
        if (!props.audiences().isEmpty()) {
            validators.add(new JwtClaimValidator<Collection<String>>(JwtClaimNames.AUD,
                    aud -> aud != null && aud.stream().anyMatch(props.audiences()::contains)));
        }
        return new DelegatingOAuth2TokenValidator<>(validators);
    }
}
