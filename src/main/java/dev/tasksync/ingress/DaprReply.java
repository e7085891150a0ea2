package dev.tasksync.ingress;

/** Dapr's pub/sub response contract: the body tells the sidecar what to do with the message. */
public record DaprReply(String status) {

    /** The reply body, {@code {"status":"…"}}. */
    public byte[] json() {
        return ("{\"status\":\"" + status + "\"}").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** Delivered to every local connection that should have it. */
    public static final DaprReply SUCCESS = new DaprReply("SUCCESS");
    /** Can never be processed; Dapr moves it to the dead-letter topic. */
    public static final DaprReply DROP = new DaprReply("DROP");
    /** Transient failure; Dapr redelivers. */
    public static final DaprReply RETRY = new DaprReply("RETRY");
}
