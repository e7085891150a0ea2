package dev.tasksync.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.support.ServiceTest;
import dev.tasksync.support.Tokens;
import dev.tasksync.support.WsClient;
import java.net.URI;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import tools.jackson.databind.JsonNode;

/** Who may open a connection: every bad-token case closes with 4001, a user mismatch with 4003. */
@ServiceTest
class ConnectionAuthTest {

    @LocalServerPort
    int port;

    @Test
    void validTokenIsGreetedWithUserConnectionAndTimestamp() {
        try (var ws = WsClient.connect(port, Tokens.forUser("alice"))) {
            JsonNode hello = ws.next();
            assertThat(hello.path("type").asString()).isEqualTo("connected");
            assertThat(hello.path("user_id").asString()).isEqualTo("alice");
            assertThat(hello.path("connection_id").asString()).isNotBlank();
            assertThat(Instant.parse(hello.path("timestamp").asString())).isBeforeOrEqualTo(Instant.now());
        }
    }

    @Test
    void missingTokenCloses4001() {
        assertUnauthorized(null);
    }

    @Test
    void expiredTokenCloses4001() {
        assertUnauthorized(Tokens.expired("alice"));
    }

    @Test
    void notYetValidTokenCloses4001() {
        assertUnauthorized(Tokens.notYetValid("alice"));
    }

    @Test
    void wrongSignatureCloses4001() {
        assertUnauthorized(Tokens.wrongSignature("alice"));
    }

    @Test
    void unsignedAlgNoneTokenCloses4001() {
        assertUnauthorized(Tokens.algNone("alice"));
    }

    @Test
    void garbageTokenCloses4001() {
        assertUnauthorized("not-a-jwt");
    }

    @Test
    void tokenWithoutExpiryCloses4001() {
        assertUnauthorized(Tokens.forUser("alice", c -> c.expirationTime(null)));
    }

    @Test
    void tokenWithoutSubjectCloses4001() {
        assertUnauthorized(Tokens.forUser("alice", c -> c.subject(null)));
    }

    @Test
    void oversizedTokenCloses4001() {
        // Longer than tasksync.auth.max-token-length but within the request line limit: refused unparsed.
        assertUnauthorized(Tokens.forUser("alice", c -> c.claim("padding", "x".repeat(7_000))));
    }

    @Test
    void userIdParameterMustMatchTheToken() {
        String token = Tokens.forUser("alice");
        try (var ws = WsClient.open(URI.create("ws://127.0.0.1:" + port + "/ws?user_id=bob&token=" + token),
                new HttpHeaders())) {
            var status = ws.awaitClose();
            assertThat(status.getCode()).isEqualTo(4003);
            assertThat(status.getReason()).isEqualTo("Forbidden");
        }
        try (var ws = WsClient.open(URI.create("ws://127.0.0.1:" + port + "/ws?user_id=alice&token=" + token),
                new HttpHeaders())) {
            assertThat(ws.next().path("user_id").asString()).isEqualTo("alice");
        }
    }

    @Test
    void bearerHeaderWorksForNonBrowserClients() {
        var headers = new HttpHeaders();
        headers.setBearerAuth(Tokens.forUser("carol"));
        try (var ws = WsClient.open(URI.create("ws://127.0.0.1:" + port + "/ws"), headers)) {
            assertThat(ws.next().path("user_id").asString()).isEqualTo("carol");
        }
        var bad = new HttpHeaders();
        bad.setBearerAuth(Tokens.wrongSignature("carol"));
        try (var ws = WsClient.open(URI.create("ws://127.0.0.1:" + port + "/ws"), bad)) {
            assertThat(ws.awaitClose().getCode()).isEqualTo(4001);
        }
    }

    private void assertUnauthorized(String token) {
        try (var ws = WsClient.connect(port, token)) {
            var status = ws.awaitClose();
            assertThat(status.getCode()).isEqualTo(4001);
            assertThat(status.getReason()).isEqualTo("Unauthorized");
            assertThat(ws.nextText(java.time.Duration.ZERO)).as("no greeting before the close").isNull();
        }
    }
}
