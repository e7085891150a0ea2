package dev.tasksync.auth;

/** A token was missing or not acceptable. The message never contains the token. */
public final class InvalidTokenException extends RuntimeException {

    /** Coarse cause, used as a metric tag and in logs. */
    public enum Reason { MISSING, TOO_LONG, MALFORMED, BAD_SIGNATURE, EXPIRED, NOT_YET_VALID, CLAIMS }

    private final Reason reason;

    public InvalidTokenException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
