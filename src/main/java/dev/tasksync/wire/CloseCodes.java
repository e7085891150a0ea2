package dev.tasksync.wire;

/**
 * Close codes of the protocol (see docs/protocol.md), the same for every transport. 4000–4999 are
 * private-use codes (RFC 6455 §7.4.2).
 */
public final class CloseCodes {

    /** Missing, invalid or expired token. */
    public static final Close UNAUTHORIZED = new Close(4001, "Unauthorized");
    /** The connection's token expired and no fresh one was sent ({@code {"type":"auth"}}). */
    public static final Close TOKEN_EXPIRED = new Close(4001, "Unauthorized: token expired");
    /** Nothing received (not even a pong) within the idle timeout: the peer is presumed dead. */
    public static final Close IDLE = new Close(4002, "Idle timeout");
    /** The token is valid but does not match the requested user. */
    public static final Close FORBIDDEN = new Close(4003, "Forbidden");
    /** The page's Origin is not in the allow-list. */
    public static final Close ORIGIN_NOT_ALLOWED = new Close(4003, "Origin not allowed");
    /** This user already has the maximum number of connections. */
    public static final Close TOO_MANY_CONNECTIONS = new Close(4029, "Too many connections");
    /** The client sent messages faster than the allowed rate and burst. */
    public static final Close RATE_LIMITED = new Close(4029, "Rate limit exceeded");
    /** The connection's outbound queue overflowed: it did not read fast enough. */
    public static final Close SLOW_CONSUMER = new Close(4008, "Slow consumer");
    /** A compressed message inflated beyond the frame size limit (a decompression bomb, or just too big). */
    public static final Close MESSAGE_TOO_BIG = new Close(1009, "Message too big");
    /** A compressed message that is not valid deflate data. */
    public static final Close INVALID_PAYLOAD = new Close(1007, "Invalid compressed payload");
    /** A frame with RSV1 set although permessage-deflate was not negotiated. */
    public static final Close PROTOCOL_ERROR = new Close(1002, "Protocol error");
    /** Server shutting down; reconnect (to another replica). */
    public static final Close GOING_AWAY = new Close(1001, "Going away");

    private CloseCodes() {
    }
}
