package dev.tasksync.ingress;

/** A delivery that can never be processed; answered DROP so Dapr dead-letters it. */
public final class MalformedEventException extends RuntimeException {

    private final String reason;

    /**
     * @param reason short metric tag, e.g. {@code missing_user_id}
     * @param message human-readable explanation, never the payload
     */
    public MalformedEventException(String reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
