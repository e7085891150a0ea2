package dev.tasksync.session;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What the client told us when it connected (the same for every transport).
 *
 * @param token {@code ?token=} (browsers) or {@code Authorization: Bearer} (other clients)
 * @param userId {@code ?user_id=}, sent by the service guide's client; must match the token
 * @param since {@code ?since=}, the id of the last event the client saw: resume after it
 * @param topics {@code ?topics=a,b}, topics to subscribe to as the connection joins (empty when absent);
 *     their streams join, and resume from {@code since}, together with the user's
 * @param presence {@code ?presence=a,b}, topics (of {@code topics}, or joined as if they were) whose
 *     presence the connection watches from the start, as {@code "presence":true} on a subscribe
 *     does: the way to watch presence over SSE, which has no messages from the client
 */
public record ConnectParams(String token, String userId, String since, List<String> topics, List<String> presence) {

    private static final String BEARER = "Bearer ";

    /** From the request target ({@code /ws?…}) and the {@code Authorization} header (may be null). */
    public static ConnectParams from(String requestTarget, String authorization) {
        int q = requestTarget.indexOf('?');
        String query = q < 0 ? null : requestTarget.substring(q + 1);
        String token = query(query, "token");
        if (token == null && authorization != null
                && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            token = authorization.substring(BEARER.length()).trim();
        }
        return new ConnectParams(token, query(query, "user_id"), query(query, "since"), topics(query(query, "topics")),
                topics(query(query, "presence")));
    }

    /**
     * The same, resuming after {@code lastEventId} when the client sent one: SSE's
     * {@code Last-Event-ID}, which a browser sends by itself on reconnect, is newer than the
     * {@code since} in the URL it reconnects to.
     */
    public ConnectParams resumingAfter(String lastEventId) {
        return lastEventId == null || lastEventId.isBlank() ? this
                : new ConnectParams(token, userId, lastEventId.trim(), topics, presence);
    }

    /** {@link #topics} followed by the {@link #presence} topics it does not name: every topic to join. */
    public List<String> joining() {
        if (presence.isEmpty() || topics.containsAll(presence)) {
            return topics;
        }
        var all = new java.util.LinkedHashSet<>(topics);
        all.addAll(presence);
        return List.copyOf(all);
    }

    /** A comma-separated list, empty items skipped, first occurrence of each kept (in order). */
    static List<String> topics(String list) {
        if (list == null) {
            return List.of();
        }
        var topics = new java.util.LinkedHashSet<String>();
        int start = 0;
        while (start <= list.length()) {
            int end = list.indexOf(',', start);
            if (end < 0) {
                end = list.length();
            }
            if (end > start) {
                topics.add(list.substring(start, end));
            }
            start = end + 1;
        }
        return List.copyOf(topics);
    }

    /** First value of a query parameter in a raw query string, decoded; null when absent or empty. */
    static String query(String rawQuery, String name) {
        if (rawQuery == null) {
            return null;
        }
        int n = name.length();
        int start = 0;
        while (start <= rawQuery.length()) {
            int end = rawQuery.indexOf('&', start);
            if (end < 0) {
                end = rawQuery.length();
            }
            if (rawQuery.startsWith(name, start) && (start + n == end || rawQuery.charAt(start + n) == '=')) {
                String value = start + n == end ? "" : decode(rawQuery.substring(start + n + 1, end));
                return value == null || value.isEmpty() ? null : value;
            }
            start = end + 1;
        }
        return null;
    }

    private static String decode(String s) {
        if (s.indexOf('%') < 0 && s.indexOf('+') < 0) {
            return s; // JWTs are URL-safe: the common case needs no decoding
        }
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null; // malformed %-escape: treat as absent, the token check then fails cleanly
        }
    }

    @Override
    public String toString() {
        return "ConnectParams[token=" + (token == null ? "<none>" : "***") + ", userId=" + userId + ", since=" + since + ", topics=" + topics + ", presence=" + presence + "]";
    }
}
