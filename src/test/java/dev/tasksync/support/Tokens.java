package dev.tasksync.support;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.function.UnaryOperator;

/** Mints test tokens: valid ones and every kind of bad one. */
public final class Tokens {

    /** The secret every test context is started with (see TestProperties). */
    public static final String SECRET = "test-secret-0123456789-0123456789-abcdef";

    private Tokens() {
    }

    public static String forUser(String userId) {
        return hs256(SECRET, claims(userId).build());
    }

    public static String forUser(String userId, UnaryOperator<JWTClaimsSet.Builder> customize) {
        return hs256(SECRET, customize.apply(claims(userId)).build());
    }

    public static String admin(String userId) {
        return forUser(userId, c -> c.claim("roles", List.of("admin")));
    }

    public static String withTopics(String userId, String... topics) {
        return forUser(userId, c -> c.claim("topics", List.of(topics)));
    }

    public static String expired(String userId) {
        Instant past = Instant.now().minus(Duration.ofMinutes(10));
        return forUser(userId, c -> c.issueTime(Date.from(past.minusSeconds(60))).expirationTime(Date.from(past)));
    }

    public static String notYetValid(String userId) {
        return forUser(userId, c -> c.notBeforeTime(Date.from(Instant.now().plus(Duration.ofMinutes(10)))));
    }

    public static String wrongSignature(String userId) {
        return hs256("another-secret-0123456789-0123456789-xyz", claims(userId).build());
    }

    /** An unsigned token ({@code "alg":"none"}). */
    public static String algNone(String userId) {
        return new PlainJWT(claims(userId).build()).serialize();
    }

    /** Standard claims valid for five minutes. */
    public static JWTClaimsSet.Builder claims(String userId) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().subject(userId).issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofMinutes(5))));
    }

    public static String hs256(String secret, JWTClaimsSet claims) {
        try {
            var jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
            jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String rs256(RSAKey key, JWTClaimsSet claims) {
        try {
            var jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
