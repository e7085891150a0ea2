package dev.tasksync.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.sun.net.httpserver.HttpServer;
import dev.tasksync.auth.InvalidTokenException.Reason;
import dev.tasksync.config.AuthProperties;
import dev.tasksync.support.Tokens;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** The real decoder against every bad-token case, for HS256 and for a JWK Set (RS256). */
class TokenVerifierTest {

    private static RSAKey rsa;
    private static HttpServer jwks;

    @BeforeAll
    static void serveJwks() throws Exception {
        rsa = new RSAKeyGenerator(2048).keyID("k1").generate();
        jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] body = new JWKSet(rsa.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
        jwks.createContext("/jwks", ex -> {
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        String base = "http://127.0.0.1:" + jwks.getAddress().getPort();
        byte[] discovery = ("{\"issuer\":\"" + base + "\",\"jwks_uri\":\"" + base + "/jwks\","
                + "\"id_token_signing_alg_values_supported\":[\"RS256\"]}").getBytes(StandardCharsets.UTF_8);
        jwks.createContext("/.well-known/openid-configuration", ex -> {
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, discovery.length);
            ex.getResponseBody().write(discovery);
            ex.close();
        });
        jwks.start();
    }

    @AfterAll
    static void stop() {
        jwks.stop(0);
    }

    @Test
    void hs256ValidTokenGivesThePrincipal() {
        var verifier = hs256();
        StepVerifier.create(verifier.verify(Tokens.forUser("alice", c -> c.claim("topics", List.of("list:*"))
                        .claim("roles", List.of("admin")))))
                .assertNext(p -> {
                    assertThat(p.userId()).isEqualTo("alice");
                    assertThat(p.topicGrants()).containsExactly("list:*");
                    assertThat(p.admin()).isTrue();
                    assertThat(p.expiresAt()).isNotNull();
                })
                .verifyComplete();
    }

    @Test
    void adminByScope() {
        StepVerifier.create(hs256().verify(Tokens.forUser("ops", c -> c.claim("scope", "read tasksync:admin"))))
                .assertNext(p -> assertThat(p.admin()).isTrue()).verifyComplete();
        StepVerifier.create(hs256().verify(Tokens.forUser("ops", c -> c.claim("scope", "read"))))
                .assertNext(p -> assertThat(p.admin()).isFalse()).verifyComplete();
    }

    @Test
    void everyBadTokenIsRejectedWithItsReason() {
        var verifier = hs256();
        expect(verifier, null, Reason.MISSING);
        expect(verifier, "x".repeat(9000), Reason.TOO_LONG);
        expect(verifier, "garbage", Reason.MALFORMED);
        expect(verifier, Tokens.algNone("alice"), Reason.MALFORMED);
        expect(verifier, Tokens.wrongSignature("alice"), Reason.BAD_SIGNATURE);
        expect(verifier, Tokens.expired("alice"), Reason.EXPIRED);
        expect(verifier, Tokens.notYetValid("alice"), Reason.NOT_YET_VALID);
        expect(verifier, Tokens.forUser("alice", c -> c.expirationTime(null)), Reason.CLAIMS);
        expect(verifier, Tokens.rs256(rsa, Tokens.claims("alice").build()), Reason.BAD_SIGNATURE);
    }

    @Test
    void errorMessagesNeverContainTheToken() {
        String token = Tokens.wrongSignature("alice");
        StepVerifier.create(hs256().verify(token))
                .expectErrorSatisfies(e -> assertThat(e.getMessage()).doesNotContain(token)
                        .doesNotContain(token.substring(0, 20)))
                .verify();
    }

    @Test
    void jwksAcceptsRs256AndRejectsKeyConfusion() {
        var verifier = jwksVerifier();
        StepVerifier.create(verifier.verify(Tokens.rs256(rsa, Tokens.claims("alice").build())))
                .assertNext(p -> assertThat(p.userId()).isEqualTo("alice")).verifyComplete();

        // HS256 signed with the public key as the HMAC secret: the classic algorithm-confusion attack.
        String publicKeyPem = "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(rsaPublicDer()) + "\n-----END PUBLIC KEY-----\n";
        expect(verifier, Tokens.hs256(publicKeyPem, Tokens.claims("alice").build()), Reason.BAD_SIGNATURE);
        // A token signed with the (also configured) shared secret is not accepted once a JWK Set is in charge.
        expect(verifier, Tokens.forUser("alice"), Reason.BAD_SIGNATURE);
        expect(verifier, Tokens.algNone("alice"), Reason.MALFORMED);
    }

    @Test
    void issuerUriDiscoversTheJwkSetAndRequiresThatIssuer() {
        String issuer = "http://127.0.0.1:" + jwks.getAddress().getPort();
        var props = new AuthProperties(null, null, issuer, List.of("RS256"), null, List.of(),
                Duration.ofSeconds(30), "topics", "roles", "admin", 8192, List.of("name"));
        var verifier = new TokenVerifier(JwtDecoderFactory.create(props), props);
        StepVerifier.create(verifier.verify(Tokens.rs256(rsa, Tokens.claims("alice").issuer(issuer).build())))
                .assertNext(p -> assertThat(p.userId()).isEqualTo("alice")).verifyComplete();
        expect(verifier, Tokens.rs256(rsa, Tokens.claims("alice").issuer("https://elsewhere.test").build()),
                Reason.CLAIMS);
        expect(verifier, Tokens.rs256(rsa, Tokens.claims("alice").build()), Reason.CLAIMS);
    }

    private static byte[] rsaPublicDer() {
        try {
            return rsa.toRSAPublicKey().getEncoded();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void expect(TokenVerifier verifier, String token, Reason reason) {
        StepVerifier.create(verifier.verify(token))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(InvalidTokenException.class,
                        ite -> assertThat(ite.reason()).as(String.valueOf(e.getMessage())).isEqualTo(reason)))
                .verify(Duration.ofSeconds(10));
    }

    private static TokenVerifier hs256() {
        var props = props(Tokens.SECRET, null);
        return new TokenVerifier(JwtDecoderFactory.create(props), props);
    }

    private static TokenVerifier jwksVerifier() {
        var props = props(Tokens.SECRET, "http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks");
        return new TokenVerifier(JwtDecoderFactory.create(props), props);
    }

    static AuthProperties props(String secret, String jwkSetUri) {
        return new AuthProperties(secret, jwkSetUri, null, List.of("RS256", "ES256"), null, List.of(),
                Duration.ofSeconds(30), "topics", "roles", "admin", 8192, List.of("name"));
    }
}
