package dev.tasksync.ws;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.socket.HandshakeInfo;

/**
 * What the client told us when it opened the socket.
 *
 * @param token {@code ?token=} (browsers) or {@code Authorization: Bearer} (other clients)
 * @param userId {@code ?user_id=}, sent by the service guide's client; must match the token
 * @param since {@code ?since=}, the id of the last event the client saw: resume after it
 */
record HandshakeParams(String token, String userId, String since) {

    private static final String BEARER = "Bearer ";

    static HandshakeParams from(HandshakeInfo info) {
        String token = query(info.getUri(), "token");
        if (token == null) {
            String auth = info.getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
            if (auth != null && auth.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
                token = auth.substring(BEARER.length()).trim();
            }
        }
        return new HandshakeParams(token, query(info.getUri(), "user_id"), query(info.getUri(), "since"));
    }

    /** First value of a query parameter, decoded; null when absent or empty. */
    static String query(URI uri, String name) {
        String raw = uri.getRawQuery();
        if (raw == null) {
            return null;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (key.equals(name)) {
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                return value == null || value.isEmpty() ? null : value;
            }
        }
        return null;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null; // malformed %-escape: treat as absent, the token check then fails cleanly
        }
    }

    @Override
    public String toString() {
        return "HandshakeParams[token=" + (token == null ? "<none>" : "***") + ", userId=" + userId + ", since=" + since + "]";
    }
}
