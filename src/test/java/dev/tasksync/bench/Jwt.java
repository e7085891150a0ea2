package dev.tasksync.bench;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/** HS256 tokens as the app's backend would mint them (sub, exp, optional topic grant). */
final class Jwt {

    private Jwt() {
    }

    static String hs256(String secret, String userId, String topicGrant, int ttlSeconds) {
        return hs256(secret, userId, topicGrant, ttlSeconds, null);
    }

    /** With a {@code name} claim when {@code name} is not null (what presence shows as the user's info). */
    static String hs256(String secret, String userId, String topicGrant, int ttlSeconds, String name) {
        if (secret == null) {
            throw new IllegalArgumentException("--secret is required");
        }
        Instant now = Instant.now();
        var claims = new JWTClaimsSet.Builder().subject(userId).issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(ttlSeconds)));
        if (name != null) {
            claims.claim("name", name);
        }
        if (topicGrant != null) {
            claims.claim("topics", List.of(topicGrant));
        }
        try {
            var jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
            jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
