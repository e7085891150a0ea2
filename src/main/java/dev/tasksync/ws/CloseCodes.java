package dev.tasksync.ws;

import org.springframework.web.reactive.socket.CloseStatus;

/** Close codes of the protocol (see docs/protocol.md). 4000–4999 are private-use codes (RFC 6455 §7.4.2). */
public final class CloseCodes {

    /** Missing, invalid or expired token. */
    public static final CloseStatus UNAUTHORIZED = new CloseStatus(4001, "Unauthorized");
    /** The connection's token expired and no fresh one was sent ({@code {"type":"auth"}}). */
    public static final CloseStatus TOKEN_EXPIRED = new CloseStatus(4001, "Unauthorized: token expired");
    /** Nothing received (not even a pong) within the idle timeout: the peer is presumed dead. */
    public static final CloseStatus IDLE = new CloseStatus(4002, "Idle timeout");
    /** The token is valid but does not match the requested user. */
    public static final CloseStatus FORBIDDEN = new CloseStatus(4003, "Forbidden");
    /** The page's Origin is not in the allow-list. */
    public static final CloseStatus ORIGIN_NOT_ALLOWED = new CloseStatus(4003, "Origin not allowed");
    /** This user already has the maximum number of connections. */
    public static final CloseStatus TOO_MANY_CONNECTIONS = new CloseStatus(4029, "Too many connections");
    /** The client sent messages faster than the allowed rate and burst. */
    public static final CloseStatus RATE_LIMITED = new CloseStatus(4029, "Rate limit exceeded");
    /** The connection's outbound queue overflowed: it did not read fast enough. */
    public static final CloseStatus SLOW_CONSUMER = new CloseStatus(4008, "Slow consumer");
    /** A compressed message inflated beyond the frame size limit (a decompression bomb, or just too big). */
    public static final CloseStatus MESSAGE_TOO_BIG = new CloseStatus(1009, "Message too big");
    /** A compressed message that is not valid deflate data. */
    public static final CloseStatus INVALID_PAYLOAD = new CloseStatus(1007, "Invalid compressed payload");
    /** A frame with RSV1 set although permessage-deflate was not negotiated. */
    public static final CloseStatus PROTOCOL_ERROR = new CloseStatus(1002, "Protocol error");
    /** Server shutting down; reconnect (to another replica). */
    public static final CloseStatus GOING_AWAY = new CloseStatus(1001, "Going away");

    private CloseCodes() {
    }
}
