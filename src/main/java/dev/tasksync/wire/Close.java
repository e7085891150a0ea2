package dev.tasksync.wire;

/**
 * Why the server ends a connection, in the protocol's terms: a WebSocket close code and reason,
 * which the SSE transport carries in its final {@code close} event (and, for a refusal at connect,
 * in an HTTP error response).
 */
public record Close(int code, String reason) {
}
