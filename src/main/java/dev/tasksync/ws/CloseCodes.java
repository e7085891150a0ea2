package dev.tasksync.ws;

import org.springframework.web.reactive.socket.CloseStatus;

/** Close codes of the protocol (see docs/protocol.md). 4000–4999 are private-use codes (RFC 6455 §7.4.2). */
public final class CloseCodes {

    /** Missing, invalid or expired token. */
    public static final CloseStatus UNAUTHORIZED = new CloseStatus(4001, "Unauthorized");
    /** The token is valid but does not match the requested user. */
    public static final CloseStatus FORBIDDEN = new CloseStatus(4003, "Forbidden");
    /** The connection's outbound queue overflowed: it did not read fast enough. */
    public static final CloseStatus SLOW_CONSUMER = new CloseStatus(4008, "Slow consumer");
    /** Server shutting down; reconnect (to another replica). */
    public static final CloseStatus GOING_AWAY = CloseStatus.GOING_AWAY;
    /** An unexpected server error on this connection. */
    public static final CloseStatus SERVER_ERROR = CloseStatus.SERVER_ERROR;

    private CloseCodes() {
    }
}
